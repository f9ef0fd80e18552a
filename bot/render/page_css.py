"""The report page's stylesheet, inlined into every page so it works offline and needs no
static route (and the Content-Security-Policy can forbid every external asset)."""

PAGE_CSS = """
:root{--fg:#1f2328;--muted:#59636e;--bg:#fff;--panel:#f6f8fa;--line:#d1d9e0;--link:#0969da;
--add:#dafbe1;--addn:#aceebb;--del:#ffebe9;--deln:#ffcecb;--hunk:#ddf4ff;--mark:#fff8c5}
@media (prefers-color-scheme:dark){:root{--fg:#e6edf3;--muted:#9198a1;--bg:#0d1117;
--panel:#151b23;--line:#3d444d;--link:#4493f8;--add:#12261e;--addn:#1f3d2c;--del:#25171c;
--deln:#4c1f24;--hunk:#121d2f;--mark:#3a2f0b}}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--fg);line-height:1.55;
font:16px/1.55 -apple-system,BlinkMacSystemFont,"Segoe UI",Roboto,"DejaVu Sans",sans-serif}
main{max-width:1100px;margin:0 auto;padding:1rem}
a{color:var(--link)}
h1{font-size:1.6rem;margin:.5rem 0 1rem;overflow-wrap:anywhere}
h2{font-size:1.3rem;border-bottom:1px solid var(--line);padding-bottom:.3rem;margin-top:2rem}
h3{font-size:1.1rem;margin:1.2rem 0 .5rem}
h4{font-size:1rem;margin:1rem 0 .4rem}
code,pre,.diff{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,"DejaVu Sans Mono",monospace;
font-size:.875rem}
code{background:var(--panel);padding:.1em .3em;border-radius:4px;overflow-wrap:anywhere}
pre{background:var(--panel);padding:.75rem;border-radius:6px;overflow-x:auto}
pre code{background:none;padding:0}
.facts{display:grid;grid-template-columns:max-content 1fr;gap:.25rem 1rem;margin:0 0 1rem}
.facts dt{color:var(--muted)}
.facts dd{margin:0;overflow-wrap:anywhere}
.sha{color:var(--muted)}
.other{display:flex;flex-wrap:wrap;gap:.4rem 1rem;font-size:.9rem}
.tablewrap,.diffwrap{overflow-x:auto;-webkit-overflow-scrolling:touch;position:relative}
table.summary{border-collapse:collapse;width:100%;font-size:.9rem}
table.summary th,table.summary td{border:1px solid var(--line);padding:.35rem .5rem;
text-align:left;vertical-align:top}
table.summary th{background:var(--panel)}
table.summary td.num{text-align:right;font-variant-numeric:tabular-nums}
table.summary td.name{overflow-wrap:anywhere;min-width:8rem}
section.file{border:1px solid var(--line);border-radius:6px;padding:0 1rem 1rem;margin:1.5rem 0;
scroll-margin-top:.5rem}
section.file:target{box-shadow:0 0 0 3px var(--link)}
section.file>h3{overflow-wrap:anywhere}
.renamed{color:var(--muted);font-size:.9rem;overflow-wrap:anywhere}
.counts{font-size:.9rem;color:var(--muted)}
.a{color:#1a7f37}.d{color:#d1242f}
@media (prefers-color-scheme:dark){.a{color:#3fb950}.d{color:#f85149}}
details{border:1px solid var(--line);border-radius:6px;margin:.5rem 0}
details>summary{cursor:pointer;padding:.5rem .75rem;background:var(--panel);border-radius:6px}
details[open]>summary{border-bottom:1px solid var(--line);border-radius:6px 6px 0 0}
table.diff{border-collapse:collapse;width:100%;table-layout:auto}
table.diff thead th{font-weight:normal;color:var(--muted);text-align:right;padding:0 .5rem;
font-size:.75rem}
table.diff td{padding:0 .5rem;vertical-align:top;white-space:pre-wrap;overflow-wrap:anywhere}
table.diff td:nth-child(-n+2){color:var(--muted);text-align:right;white-space:nowrap;
user-select:none;width:1%;font-variant-numeric:tabular-nums}
table.diff tr.add td{background:var(--add)}
table.diff tr.add td:nth-child(-n+2){background:var(--addn)}
table.diff tr.del td{background:var(--del)}
table.diff tr.del td:nth-child(-n+2){background:var(--deln)}
table.diff tr.hunk td{background:var(--hunk);color:var(--muted)}
table.diff tr.meta td{color:var(--muted);font-style:italic}
.note{background:var(--mark);border-radius:6px;padding:.5rem .75rem}
.visually-hidden{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}
footer{color:var(--muted);font-size:.85rem;margin:2rem 0 1rem}
@media (max-width:640px){main{padding:.6rem}h1{font-size:1.3rem}body{font-size:15px}
section.file{padding:0 .6rem .6rem}table.summary .wide{display:none}
table.diff td:nth-child(3){white-space:pre;overflow-wrap:normal}
pre{white-space:pre-wrap;overflow-wrap:anywhere}}
"""
