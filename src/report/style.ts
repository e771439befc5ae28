/**
 * The report's font, the system's (nothing fetched), for the page and its charts. Single quotes
 * inside: ECharts writes it into a double-quoted style attribute unescaped, where a double quote
 * would end the attribute and the family would be dropped.
 */
export const FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif";

/**
 * The report's stylesheet, inline in the page: system fonts only (nothing fetched), charts scale
 * down to the page width (their SVGs have a viewBox), wide tables scroll inside their box, and a
 * chart never breaks across printed pages.
 */
export const REPORT_CSS = `
*{box-sizing:border-box}
body{margin:0;font-family:${FONT};color:#1b1b1b;background:#fff;line-height:1.45}
main{max-width:1180px;margin:0 auto;padding:16px}
h1{font-size:1.6rem;margin:.4em 0}
h2{font-size:1.3rem;border-bottom:2px solid #ddd;padding-bottom:.2em;margin-top:1.6em}
h3{font-size:1rem;margin:.3em 0}
h3.sub{margin-top:1.2em}
p,li,td,th,h1,h2,h3{overflow-wrap:anywhere}
.note{font-size:.85rem;color:#555;margin:.2em 0 .5em}
.summary th{text-align:left;padding:2px 12px 2px 0;vertical-align:top;white-space:nowrap}
.summary td{padding:2px 0}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(230px,1fr));gap:12px}
.card{border:1px solid #ddd;border-top:6px solid #999;border-radius:6px;padding:10px 12px;break-inside:avoid;page-break-inside:avoid}
.card h3 small{color:#777;font-weight:normal}
.card .big{font-size:1.1rem;font-weight:600;margin:.2em 0}
.card ul{padding-left:1.1em;margin:.4em 0}
.card .rule{font-size:.8rem;color:#555;margin:.3em 0 0}
.swatch{display:inline-block;width:.8em;height:.8em;border-radius:2px;margin-right:.4em;vertical-align:baseline}
.pair{display:grid;grid-template-columns:repeat(auto-fill,minmax(min(100%,380px),1fr));gap:8px 20px}
.chart{margin:12px 0 20px;break-inside:avoid;page-break-inside:avoid;min-width:0}
.chart .svg svg{display:block;max-width:100%;height:auto}
details summary{cursor:pointer;font-size:.85rem;color:#333}
.table-wrap{overflow-x:auto;max-width:100%}
table{border-collapse:collapse;font-size:.8rem}
details table td,details table th{border:1px solid #ddd;padding:2px 6px;text-align:right;white-space:nowrap}
details table td:first-child,details table th{text-align:left}
footer{margin-top:2em;font-size:.8rem;color:#666}
@media print{main{max-width:none;padding:0}details{display:none}h2{break-after:avoid}}
`;
