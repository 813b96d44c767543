/// The frame of every page ganpipe writes: one self-contained XHTML-compatible document
/// (well-formed XML, so it can be checked by a parser) with its style sheet and scripts inline,
/// no fonts, no external references of any kind. The page reads in full without script (every
/// figure is SVG); with it, rows of per-checkpoint figures become one figure and a slider, and
/// line charts become interactive through dygraphs (Debian's libjs-dygraphs, compiled into
/// the binary and inlined only in pages that have a line chart).
struct HTMLPage {
    var title: String
    /// Section id and heading, for the table of contents.
    var sections: [(id: String, heading: String)] = []
    var body = ""

    mutating func section(_ id: String, _ heading: String, _ content: String, lead: String? = nil) {
        sections.append((id, heading))
        body += "<section id=\"\(id)\"><h2>\(SVG.escape(heading))</h2>"
        if let lead { body += "<p class=\"lead\">\(lead)</p>" }
        body += content + "</section>\n"
    }

    func render(header: String) -> String {
        var html = "<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\"><head><meta charset=\"utf-8\"/>"
        html += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>"
        let charts = body.contains("class=\"chart-data\"")
        html += "<title>\(SVG.escape(title))</title><style>\(Self.style)\(charts ? "\n" + ChartLibrary.style : "")</style></head><body>\n"
        html += header
        if !sections.isEmpty {
            html += "<nav><ol>" + sections.map { "<li><a href=\"#\($0.id)\">\(SVG.escape($0.heading))</a></li>" }.joined() + "</ol></nav>\n"
        }
        html += body
        html += "<footer>Written by <code>ganpipe</code> from its SQLite database. Every figure is inline SVG; the page needs no network, and reads in full without JavaScript."
        html += charts ? " With it, line charts are drawn by dygraphs \(ChartLibrary.version) (MIT licence), inline in this page.</footer>" : "</footer>"
        if charts { html += "<script>//<![CDATA[\n" + ChartLibrary.script + "\n" + ChartScript.source + "\n//]]></script>" }
        html += "<script>//<![CDATA[\n" + Self.script + "\n//]]></script>"
        html += "</body></html>\n"
        return html
    }

    /// Charts first (see `ChartScript`), then checkpoint sliders: each `.checkpoints` row of
    /// `.checkpoint` figures (marked with `data-step`) shows one figure at a time, the latest
    /// first, with a range input to move through the others. `ganpipeEnhance` is global so that a page redrawn in place (by
    /// `ganpipe serve`) can apply it to its new body.
    static let script = """
    window.ganpipeEnhance = function () {
      if (window.ganpipeEnhanceCharts) window.ganpipeEnhanceCharts();
      document.querySelectorAll('.checkpoints:not([data-slider])').forEach(function (row) {
        var items = Array.prototype.filter.call(row.children, function (item) { return item.classList.contains('checkpoint'); });
        row.dataset.slider = 'on';
        if (items.length < 2) return;
        var control = document.createElement('label'), input = document.createElement('input'), text = document.createElement('span');
        control.className = 'slider';
        input.type = 'range'; input.min = '0'; input.max = String(items.length - 1); input.step = '1'; input.value = String(items.length - 1);
        control.appendChild(document.createTextNode('checkpoint ')); control.appendChild(input); control.appendChild(text);
        function show() {
          var chosen = Number(input.value);
          items.forEach(function (item, index) { item.hidden = index !== chosen; });
          text.textContent = ' step ' + items[chosen].dataset.step + ' (' + (chosen + 1) + ' of ' + items.length + ')';
        }
        input.addEventListener('input', show);
        row.insertBefore(control, row.firstChild);
        show();
      });
    };
    window.ganpipeEnhance();
    """

    static let style = """
    body{font-family:system-ui,-apple-system,'Segoe UI',Helvetica,Arial,sans-serif;color:#1d1d1f;margin:24px auto;max-width:1360px;padding:0 20px;line-height:1.45}
    h1{font-size:24px;margin:0 0 4px}h2{font-size:19px;margin:30px 0 8px;padding-top:10px;border-top:1px solid #ddd}
    p.lead{margin:2px 0 10px;color:#333;max-width:1050px}p.note{color:#555;font-size:13px;max-width:1050px}
    .meta{color:#444;font-size:14px}nav ol{columns:3 300px;column-gap:48px;font-size:14px;margin:10px 0;padding-left:28px}nav li{break-inside:avoid;margin:0 0 3px}
    .row{display:flex;flex-wrap:wrap;gap:10px 18px;align-items:flex-start}.wide{overflow-x:auto;max-width:100%}.wide th{overflow-wrap:anywhere;min-width:6em}
    figure{margin:6px 0;display:inline-block;vertical-align:top}figcaption{font-size:12px;color:#555;max-width:600px;margin-top:2px}
    svg.plot{background:#fff;max-width:100%;height:auto;font-family:system-ui,Helvetica,Arial,sans-serif}
    svg .title{font-size:13px;font-weight:600;fill:#1d1d1f}svg .tick{font-size:10.5px;fill:#333}
    svg .label{font-size:12px;fill:#1d1d1f}svg .legend{font-size:11px;fill:#1d1d1f}
    svg .frame{fill:none;stroke:#999;stroke-width:1}svg .grid{stroke:#ececec;stroke-width:1}svg .axis{stroke:#999;stroke-width:1}
    table{border-collapse:collapse;font-size:13px;margin:6px 0}th,td{padding:3px 10px;border-bottom:1px solid #e6e6e6;text-align:left;vertical-align:top}
    th{background:#f6f6f6;font-weight:600}td.num{text-align:right;font-variant-numeric:tabular-nums}
    .problem{color:#b00020;font-weight:600}.warning{color:#9a5b00;font-weight:600}.info{color:#555}.healthy{color:#1b7f3b;font-weight:600}
    ul.findings{padding-left:0;list-style:none;max-width:1150px}ul.findings li{margin:4px 0;padding-left:92px;text-indent:-92px}
    .badge{display:inline-block;width:84px;text-indent:0;font-size:12px;text-transform:uppercase;letter-spacing:.03em}
    img.pixels{image-rendering:pixelated;border:1px solid #ccc}code{font-size:13px;background:#f3f3f3;padding:0 3px}
    .chart-controls{display:flex;flex-wrap:wrap;gap:2px 12px;font-size:12px;color:#333;max-width:620px;margin:0 0 2px}
    .chart-controls label{white-space:nowrap}.chart-controls label.series{border-left:4px solid;padding-left:3px}
    .chart-controls input[type=range]{width:90px;vertical-align:middle}.chart-controls button{font-size:12px}
    .chart-legend{font-size:12px;min-height:2.6em;max-width:620px}.chart-plot .dygraph-title{font-size:13px;font-weight:600}
    .chart-plot .dygraph-label{font-size:12px}.chart-plot .dygraph-axis-label{font-size:10.5px}
    .checkpoints>label.slider{flex-basis:100%;font-size:13px;color:#333}.checkpoints>label.slider input{width:320px;vertical-align:middle}
    footer{margin:36px 0 10px;font-size:12px;color:#777;border-top:1px solid #ddd;padding-top:8px}
    """
}
