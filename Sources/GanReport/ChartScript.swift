/// The interactive layer of the line charts, over the embedded dygraphs (`ChartLibrary`):
/// every `figure.chart` with a `chart-data` block (see `LinePlot.chartData`) gets a dygraphs
/// chart in place of its SVG, values on hover in a legend under it, and controls — a checkbox
/// per series (show/hide a run), log scale, "fit the bulk" (an axis that ignores outliers: the
/// 1st–99th percentile of the shown values, widened by half its span, as the SVG's rule), a
/// smoothing slider (moving average over N points) and zoom on steps (drag; double-click or
/// the button resets). Charts are keyed by title; when `ganpipe serve` redraws a page in place,
/// a chart whose series are unchanged keeps its dygraph and takes the new data (its zoom,
/// hover and choices stay; measured in Chromium: redrawing 17 charts costs about half of
/// building them), and choices outlive even a rebuilt chart (`window.ganpipeCharts.state`).
/// Each figure's dygraph is `figure.graph` (the browser tests drive it).
enum ChartScript {
    static let source = """
    window.ganpipeCharts = window.ganpipeCharts || { state: {}, figures: {} };
    window.ganpipeEnhanceCharts = function () {
      var registry = window.ganpipeCharts, seen = {};
      if (typeof Dygraph === 'undefined') return;
      function format(v) {
        if (v === null || v === undefined || isNaN(v)) return '\\u2013';
        var a = Math.abs(v);
        var text = a !== 0 && (a >= 1e5 || a < 1e-3) ? v.toExponential(2).replace('e+', 'e') : String(+v.toPrecision(4));
        return text.replace(/^-/, '\\u2212');
      }
      function bulkRange(spec, rows, visible, log) {
        var values = [];
        rows.forEach(function (row) {
          for (var i = 1; i < row.length; i++) {
            var cell = row[i];
            if (!visible[i - 1] || !cell || !isFinite(cell[1]) || (log && cell[1] <= 0)) continue;
            values.push(log ? Math.log10(cell[1]) : cell[1]);
          }
        });
        if (values.length < 20) return null;
        values.sort(function (a, b) { return a - b; });
        var k = Math.floor(values.length / 100), low = values[k], high = values[values.length - 1 - k];
        var span = Math.max(high - low, 1e-12 * Math.max(1, Math.abs(high)));
        low -= span / 2; high += span / 2;
        if (values[0] >= low && values[values.length - 1] <= high) return null;
        return log ? [Math.pow(10, low), Math.pow(10, high)] : [low, high];
      }
      function parse(figure) {
        var spec = JSON.parse(figure.querySelector('script.chart-data').textContent);
        spec.rows = spec.rows.map(function (row) {
          return row.map(function (cell, i) {
            if (i === 0 || cell === null || Array.isArray(cell)) return cell;
            return cell === 'gap' ? [NaN, NaN, NaN] : [cell, cell, cell];
          });
        });
        return spec;
      }
      document.querySelectorAll('figure.chart:not([data-interactive])').forEach(function (figure) {
        var svg = figure.querySelector('svg');
        if (!figure.querySelector('script.chart-data') || !svg) return;
        var spec = parse(figure), names = spec.series.map(function (s) { return s.name; }), rows = spec.rows;
        if (rows.length === 0) return;
        seen[spec.title] = (seen[spec.title] || 0) + 1;
        var key = spec.title + ' #' + seen[spec.title];
        // Redrawn by `ganpipe serve`: the chart drawn before, if its series are the same, moves
        // into the new page and takes the new data (zoom, selection and choices stay).
        var previous = registry.figures[key];
        if (previous && !document.body.contains(previous) && previous.names === JSON.stringify(names)) {
          ['script.chart-data', 'figcaption', 'svg'].forEach(function (part) {
            var fresh = figure.querySelector(part), old = previous.querySelector(part);
            if (old && fresh) old.replaceWith(fresh); else if (old) old.remove(); else if (fresh) previous.appendChild(fresh);
          });
          previous.querySelector('svg').style.display = 'none';
          figure.replaceWith(previous);
          previous.update(parse(previous));
          return;
        }
        if (previous && previous.graph) previous.graph.destroy();
        var state = registry.state[key] || (registry.state[key] = { hidden: [], log: spec.log, bulk: spec.bulk, roll: 1, window: null });
        figure.dataset.interactive = 'on';
        figure.dataset.chartKey = key;
        figure.names = JSON.stringify(names);
        registry.figures[key] = figure;
        var controls = document.createElement('div'), plot = document.createElement('div'), legend = document.createElement('div');
        controls.className = 'chart-controls'; plot.className = 'chart-plot'; legend.className = 'chart-legend';
        plot.style.width = spec.width + 'px'; plot.style.height = spec.height + 'px';
        figure.insertBefore(controls, svg); figure.insertBefore(plot, svg); figure.insertBefore(legend, svg);
        svg.style.display = 'none';
        function visible() { return names.map(function (name) { return state.hidden.indexOf(name) < 0; }); }
        function control(label, input, title) {
          var wrapper = document.createElement('label');
          wrapper.appendChild(input); wrapper.appendChild(document.createTextNode(label));
          if (title) wrapper.title = title;
          controls.appendChild(wrapper);
          return input;
        }
        function checkbox(checked, onChange) {
          var input = document.createElement('input');
          input.type = 'checkbox'; input.checked = checked;
          input.addEventListener('change', function () { onChange(input.checked); });
          return input;
        }
        var seriesOptions = {};
        spec.series.forEach(function (s) {
          seriesOptions[s.name] = { strokePattern: s.dash, drawPoints: s.markers, pointSize: s.markers ? 3 : 1 };
        });
        var g = new Dygraph(plot, rows, {
          labels: ['x'].concat(names), colors: spec.series.map(function (s) { return s.color; }), series: seriesOptions,
          customBars: true, connectSeparatedPoints: true, fillAlpha: 0.15, strokeWidth: 1.6,
          title: spec.title, xlabel: spec.x, ylabel: spec.y, titleHeight: 22, xLabelHeight: 16, yLabelWidth: 16,
          labelsDiv: legend, legend: 'always', labelsKMB: false,
          logscale: state.log, rollPeriod: state.roll, visibility: visible(),
          dateWindow: state.window, valueRange: state.bulk ? bulkRange(spec, rows, visible(), state.log) : null,
          axes: { x: { valueFormatter: format, axisLabelFormatter: format }, y: { valueFormatter: format, axisLabelFormatter: format, axisLabelWidth: 56 } },
          zoomCallback: function (low, high) { state.window = g.isZoomed('x') ? [low, high] : null; },
          underlayCallback: function (context, area, graph) {
            context.save();
            spec.references.forEach(function (reference) {
              var y = graph.toDomYCoord(reference[0]);
              if (!(y >= area.y && y <= area.y + area.h)) return;
              context.strokeStyle = '#555'; context.setLineDash([2, 3]);
              context.beginPath(); context.moveTo(area.x, y); context.lineTo(area.x + area.w, y); context.stroke();
              context.setLineDash([]); context.fillStyle = '#333'; context.font = '10.5px sans-serif'; context.textAlign = 'right';
              context.fillText(reference[1], area.x + area.w - 4, y - 4);
            });
            var shown = graph.visibility();
            context.fillStyle = '#d00000';
            spec.nonFinite.forEach(function (marker) {
              var x = graph.toDomXCoord(marker[1]);
              if (!shown[marker[0]] || !(x >= area.x && x <= area.x + area.w)) return;
              context.beginPath(); context.moveTo(x - 3.5, area.y); context.lineTo(x + 3.5, area.y); context.lineTo(x, area.y + 5); context.fill();
            });
            context.restore();
          }
        });
        figure.graph = g;
        figure.update = function (fresh) {
          spec = fresh; rows = fresh.rows;
          g.updateOptions({ file: rows, valueRange: state.bulk ? bulkRange(spec, rows, visible(), state.log) : null });
        };
        function update() {
          g.updateOptions({ logscale: state.log, rollPeriod: state.roll, visibility: visible(),
                            valueRange: state.bulk ? bulkRange(spec, rows, visible(), state.log) : null });
        }
        if (names.length > 1) {
          spec.series.forEach(function (s) {
            var input = control(s.name, checkbox(state.hidden.indexOf(s.name) < 0, function (on) {
              state.hidden = state.hidden.filter(function (name) { return name !== s.name; });
              if (!on) state.hidden.push(s.name);
              update();
            }), 'show or hide this series');
            input.parentNode.className = 'series';
            input.parentNode.style.borderColor = s.color;
            input.dataset.series = s.name;
          });
        }
        control('log scale', checkbox(state.log, function (on) { state.log = on; update(); }), 'log\\u2081\\u2080 y axis (values \\u2264 0 are not drawn)').dataset.option = 'log';
        control('fit the bulk', checkbox(state.bulk, function (on) { state.bulk = on; update(); }),
                'y axis over the 1st\\u201399th percentile of the shown values, widened by half its span: outliers leave the chart').dataset.option = 'bulk';
        var smoothing = document.createElement('input'), smoothingText = document.createElement('span');
        smoothing.type = 'range'; smoothing.min = '1'; smoothing.max = String(Math.max(1, Math.min(50, Math.floor(rows.length / 4))));
        smoothing.step = '1'; smoothing.value = String(state.roll); smoothing.dataset.option = 'smoothing';
        function smoothingLabel() { smoothingText.textContent = state.roll > 1 ? ' mean of ' + state.roll + ' points' : ' off'; }
        smoothing.addEventListener('input', function () { state.roll = Number(smoothing.value); smoothingLabel(); update(); });
        control(' smoothing', smoothing, 'moving average over this many points').appendChild(smoothingText);
        smoothingLabel();
        var reset = document.createElement('button');
        reset.type = 'button'; reset.textContent = 'reset zoom'; reset.dataset.option = 'reset';
        reset.title = 'drag across the chart to zoom on steps; double-click or this button to reset';
        reset.addEventListener('click', function () { state.window = null; g.resetZoom(); });
        controls.appendChild(reset);
      });
      // Charts of a replaced page that found no place in the new one are released.
      Object.keys(registry.figures).forEach(function (key) {
        if (document.body.contains(registry.figures[key])) return;
        if (registry.figures[key].graph) registry.figures[key].graph.destroy();
        delete registry.figures[key];
      });
    };
    """
}
