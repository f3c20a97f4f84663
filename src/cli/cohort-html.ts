// cohort.html: one self-contained page (inline CSS, a small inline script, thumbnails as data: URLs) that opens from
// a USB stick with no network. Its Content-Security-Policy forbids every fetch, so nothing can leak even if a report
// held a hostile string; every text from a report is HTML-escaped anyway. Links to the app are plain navigations.
import { cohortCounts, type CohortRow } from '../focus/qc/cohort.ts';
import { formatArea } from '../focus/qc/area.ts';

export interface CohortPageRow {
  row: CohortRow;
  /** data:image/…;base64 thumbnail of NAME.focus.png, if there is one. */
  thumbnail?: string;
  /** App URL that opens the slide, if it is reachable. */
  link?: string;
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'; script-src 'unsafe-inline'";

const STYLE = `
body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#222}
h1{font-size:1.4em;margin:0 0 .3em}
.summary{margin:.2em 0 1em}
.controls{margin-bottom:.8em;display:flex;gap:1em;align-items:center}
table{border-collapse:collapse;width:100%}
th,td{border-bottom:1px solid #ddd;padding:4px 8px;text-align:left;vertical-align:middle}
th{background:#f4f4f4;cursor:pointer;user-select:none;white-space:nowrap}
th[aria-sort=ascending]::after{content:" \\25B2"}
th[aria-sort=descending]::after{content:" \\25BC"}
td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
td.date{white-space:nowrap}
img{display:block;max-width:240px;height:auto}
.v-pass{color:#11702c;font-weight:600}.v-fail{color:#b3261e;font-weight:600}.v-error{color:#7a4b00;font-weight:600}
.err{color:#7a4b00;max-width:30em}
`;

// Sorting by a column's data-v values (numbers when the column is numeric) and filtering by text and verdict.
const SCRIPT = `
(function(){
var table=document.getElementById('cohort'),body=table.tBodies[0],heads=table.tHead.rows[0].cells;
var rows=Array.prototype.slice.call(body.rows),q=document.getElementById('q'),v=document.getElementById('verdict'),shown=document.getElementById('shown');
function filter(){var t=q.value.trim().toLowerCase(),want=v.value,n=0;
rows.forEach(function(r){var ok=(!want||r.dataset.verdict===want)&&(!t||r.dataset.text.indexOf(t)>=0);r.hidden=!ok;if(ok)n++;});
shown.textContent=n+' of '+rows.length+' shown';}
Array.prototype.forEach.call(heads,function(th,i){if(!th.dataset.type)return;th.addEventListener('click',function(){
var dir=th.getAttribute('aria-sort')==='ascending'?-1:1,num=th.dataset.type==='num';
Array.prototype.forEach.call(heads,function(h){h.removeAttribute('aria-sort');});
th.setAttribute('aria-sort',dir>0?'ascending':'descending');
rows.sort(function(a,b){var x=a.cells[i].dataset.v,y=b.cells[i].dataset.v;
if(num){x=x===''?-Infinity:Number(x);y=y===''?-Infinity:Number(y);return (x-y)*dir||Number(a.dataset.rank)-Number(b.dataset.rank);}
return x.localeCompare(y)*dir||Number(a.dataset.rank)-Number(b.dataset.rank);});
rows.forEach(function(r){body.appendChild(r);});});});
q.addEventListener('input',filter);v.addEventListener('change',filter);filter();
})();
`;

function num(value: number | null, digits: number): { v: string; text: string } {
  return value === null ? { v: '', text: '–' } : { v: String(value), text: value.toFixed(digits) };
}

function cell(v: string, html: string, cls = ''): string {
  return `<td${cls ? ` class="${cls}"` : ''} data-v="${escapeHtml(v)}">${html}</td>`;
}

function rowHtml({ row, thumbnail, link }: CohortPageRow, rank: number): string {
  const name = escapeHtml(row.name);
  const percent = num(row.outOfFocusPercent, 1);
  const regions = num(row.regionCount, 0);
  const area = row.tissueArea === null ? { v: '', text: '–' } : { v: String(row.tissueArea), text: formatArea(row.tissueArea, row.areaUnit === 'mm²' ? 'mm²' : 'px²') };
  const scanner = [row.scanner, row.vendor].filter((s): s is string => Boolean(s)).join(' / ');
  const model = [row.model, row.calibration].filter((s): s is string => Boolean(s)).join(' · ');
  const date = (row.acquiredAt ?? row.scannedAt ?? '').slice(0, 10);
  const text = [row.name, row.verdict, row.model, row.calibration, row.scanner, row.vendor, row.error].filter(Boolean).join(' ').toLowerCase();
  const image = thumbnail ? `<img src="${escapeHtml(thumbnail)}" alt="heatmap of ${name}" width="240">` : '<span>no heatmap</span>';
  return [
    `<tr data-verdict="${row.verdict}" data-rank="${rank}" data-text="${escapeHtml(text)}">`,
    cell(String(rank), String(rank + 1), 'num'),
    `<td>${link ? `<a href="${escapeHtml(link)}">${image}</a>` : image}</td>`,
    cell(row.name, link ? `<a class="slide" href="${escapeHtml(link)}">${name}</a>` : `<span class="slide">${name}</span>`),
    cell(row.verdict, `<span class="v-${row.verdict}">${row.verdict.toUpperCase()}</span>`),
    cell(percent.v, percent.text, 'num'),
    cell(regions.v, regions.text, 'num'),
    cell(area.v, escapeHtml(area.text), 'num'),
    cell(model, escapeHtml(model)),
    cell(scanner, escapeHtml(scanner)),
    cell(date, escapeHtml(date), 'date'),
    cell(row.error ?? '', escapeHtml(row.error ?? ''), 'err'),
    '</tr>',
  ].join('');
}

export interface CohortPage {
  title: string;
  rows: readonly CohortPageRow[];
  generatedAt: string;
}

/** The page; rows are shown in the order given (worst first). */
export function cohortHtml(page: CohortPage): string {
  const c = cohortCounts(page.rows.map((r) => r.row));
  const heads: [string, string][] = [
    ['#', 'num'], ['Heatmap', ''], ['Slide', 'text'], ['Verdict', 'text'], ['% out of focus', 'num'], ['Regions', 'num'],
    ['Tissue', 'num'], ['Model · calibration', 'text'], ['Scanner / vendor', 'text'], ['Date', 'text'], ['Message', 'text'],
  ];
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(page.title)}</title>
<style>${STYLE}</style>
</head>
<body>
<h1>${escapeHtml(page.title)}</h1>
<p class="summary" id="summary">${c.slides} slides: ${c.pass} pass, ${c.fail} fail, ${c.error} error. Worst first: slides that could not be read, then FAILs, then PASSes, most out of focus first. Made ${escapeHtml(page.generatedAt)} by focuslite report.</p>
<div class="controls">
<label>Filter <input id="q" type="search" placeholder="slide, model, scanner…"></label>
<label>Verdict <select id="verdict"><option value="">all</option><option value="error">error</option><option value="fail">fail</option><option value="pass">pass</option></select></label>
<span id="shown"></span>
</div>
<table id="cohort">
<thead><tr>${heads.map(([h, type]) => `<th${type ? ` data-type="${type}"` : ''}>${escapeHtml(h)}</th>`).join('')}</tr></thead>
<tbody>
${page.rows.map((r, i) => rowHtml(r, i)).join('\n')}
</tbody>
</table>
<script>${SCRIPT}</script>
</body>
</html>
`;
}
