import GanReport

/// The one script `ganpipe serve` adds to a page (the static report and comparison files do
/// not poll): every `pollMilliseconds` it asks `/api/changes` for the database's change token; when
/// the token moves it fetches the page again and swaps the body in place, keeping the scroll
/// position, and it lists warning and error events recorded since the page was opened in a box
/// at the top; checkpoint sliders are rebuilt and keep a chosen step, charts keep their choices
/// (hidden series, log axis, zoom, smoothing: see GanReport's ChartScript).
/// `document.body.dataset.redraws` counts the swaps (the browser tests read it).
enum LiveScript {
    static func inject(into html: String, pollMilliseconds: Int) -> String {
        let script = "<script>//<![CDATA[\n" + source.replacingOccurrences(of: "POLL_MS", with: String(pollMilliseconds)) + "\n//]]></script>"
        guard let end = html.range(of: "</body>", options: .backwards) else { return html + script }
        return html.replacingCharacters(in: end, with: script + "</body>")
    }

    static func errorPage(_ message: String) -> String {
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"/><title>ganpipe</title></head><body>"
            + "<p class=\"problem\">\(SVG.escape(message))</p><p><a href=\"/\">all runs</a></p></body></html>\n"
    }

    static let source = """
    (function () {
      var token = null, lastEvent = null, shown = 0;
      var live = document.createElement('div');
      live.id = 'ganpipe-live';
      live.setAttribute('style', 'position:sticky;top:0;z-index:5;background:#fffbe6;border:1px solid #e6d9a8;padding:4px 10px;margin:0 0 8px;font-size:13px');
      live.innerHTML = '<span id="ganpipe-live-status">live: watching the database</span><ul id="ganpipe-live-events" style="margin:2px 0 0;padding-left:18px;max-height:30vh;overflow:auto"></ul>';
      document.body.insertBefore(live, document.body.firstChild);
      document.body.dataset.redraws = '0';
      function status(text) { document.getElementById('ganpipe-live-status').textContent = text; }
      async function redraw() {
        var response = await fetch(location.href, { cache: 'no-store' });
        var page = new DOMParser().parseFromString(await response.text(), 'text/html');
        // A page opened before its run had metrics came without the chart library: load it whole.
        if (typeof Dygraph === 'undefined' && page.querySelector('script.chart-data')) { location.reload(); return; }
        var y = window.scrollY, redraws = +document.body.dataset.redraws + 1;
        // A slider moved off the latest checkpoint stays on its step through the redraw.
        var kept = Array.prototype.map.call(document.querySelectorAll('.checkpoints'), function (row) {
          var input = row.querySelector('label.slider input'), shown = row.querySelector('.checkpoint:not([hidden])');
          return input && shown && input.value !== input.max ? shown.dataset.step : null;
        });
        document.body.innerHTML = page.body.innerHTML;
        document.body.insertBefore(live, document.body.firstChild);
        if (window.ganpipeEnhance) window.ganpipeEnhance();
        document.querySelectorAll('.checkpoints').forEach(function (row, index) {
          var input = row.querySelector('label.slider input');
          if (!kept[index] || !input) return;
          var steps = Array.prototype.map.call(row.querySelectorAll('.checkpoint'), function (item) { return item.dataset.step; });
          if (steps.indexOf(kept[index]) < 0) return;
          input.value = String(steps.indexOf(kept[index]));
          input.dispatchEvent(new Event('input'));
        });
        document.body.dataset.redraws = String(redraws);
        window.scrollTo(0, y);
      }
      async function events(after) {
        var list = await (await fetch('/api/events?after=' + after, { cache: 'no-store' })).json();
        var box = document.getElementById('ganpipe-live-events');
        list.forEach(function (event) {
          if (shown >= 50) return;
          shown += 1;
          var item = document.createElement('li');
          item.className = event.severity;
          item.textContent = event.run + ': ' + event.severity + ' at step ' + event.step + ': ' + event.kind + ': ' + event.message;
          box.appendChild(item);
        });
      }
      async function tick() {
        try {
          var changes = await (await fetch('/api/changes', { cache: 'no-store' })).json();
          if (token === null) { token = changes.token; lastEvent = changes.last_event; }
          if (changes.last_event !== lastEvent) { await events(lastEvent); lastEvent = changes.last_event; }
          if (changes.token !== token) { token = changes.token; await redraw(); }
          status('live: updated ' + new Date().toLocaleTimeString());
        } catch (error) {
          status('live: the server does not answer (' + error + '); this page shows what it had');
        }
        setTimeout(tick, POLL_MS);
      }
      tick();
    })();
    """
}
