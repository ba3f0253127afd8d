import type { FastifyInstance } from 'fastify';

// The dashboard's one stylesheet and its two small scripts, served as files: the CSP allows no
// inline script. Every page works without them; they add the viewer's zone and live status.

const CSS = `:root{--ink:#1b1f24;--muted:#4d5561;--line:#d0d7de;--bg:#fff;--panel:#f6f8fa;--link:#0a4fb4;--accent:#0a4fb4;--bad:#a40e26;--good:#116329;--warn:#7d4e00}
*{box-sizing:border-box}
body{margin:0;font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--ink);background:var(--bg)}
a{color:var(--link)}a:focus-visible,button:focus-visible,input:focus-visible,select:focus-visible,textarea:focus-visible,summary:focus-visible{outline:3px solid var(--accent);outline-offset:2px}
.skip{position:absolute;left:-9999px}.skip:focus{left:8px;top:8px;background:var(--bg);padding:4px 8px;z-index:1}
.sr-only{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
.top{display:flex;flex-wrap:wrap;align-items:center;gap:8px 24px;padding:10px 24px;border-bottom:1px solid var(--line);background:var(--panel)}
.brand{font-weight:700;font-size:17px}
.top ul{display:flex;gap:16px;list-style:none;margin:0;padding:0}
.top a[aria-current=page]{font-weight:700;text-decoration-thickness:3px}
.who{margin:0 0 0 auto;color:var(--muted)}.role{border:1px solid var(--line);border-radius:10px;padding:0 8px;font-size:13px}
main{padding:16px 24px 48px;max-width:1200px}
h1{font-size:24px;margin:8px 0 16px}h2{font-size:19px;margin:28px 0 8px;border-bottom:1px solid var(--line);padding-bottom:4px}h3{font-size:16px;margin:18px 0 6px}
table{border-collapse:collapse;width:100%;margin:8px 0}th,td{text-align:left;vertical-align:top;padding:6px 10px;border-bottom:1px solid var(--line)}
thead th{background:var(--panel);font-size:13px}caption{text-align:left;font-weight:600;padding:4px 0}
.scroll{overflow-x:auto}
.filters{display:flex;flex-wrap:wrap;gap:4px 16px;align-items:flex-end;background:var(--panel);border:1px solid var(--line);border-radius:6px;padding:8px 12px}
.filters p{margin:4px 0}.filters label{display:block;font-size:13px;color:var(--muted)}
input,select,textarea,button{font:inherit;color:var(--ink)}input,select,textarea{border:1px solid #6e7781;border-radius:4px;padding:4px 6px;background:var(--bg)}
textarea{width:100%;font-family:ui-monospace,Menlo,Consolas,monospace;font-size:13px}
button{border:1px solid #1f5fbf;background:var(--accent);color:#fff;border-radius:4px;padding:5px 12px;cursor:pointer}
button.danger{background:var(--bad);border-color:var(--bad)}
.meta,.hint,.local{color:var(--muted)}
.status{white-space:nowrap;display:inline-block;border-radius:10px;padding:0 8px;font-size:13px;border:1px solid currentColor}
.status-scheduled{color:var(--link)}.status-announcing{color:var(--warn)}.status-announced{color:var(--good)}.status-held,.status-cancelled{color:var(--bad)}.status-draft{color:var(--muted)}
.notice{border-left:4px solid var(--good);background:#eefbf1;padding:8px 12px}
.problem{border-left:4px solid var(--bad);background:#fff0f1;padding:8px 12px}
.facts{display:grid;grid-template-columns:max-content 1fr;gap:4px 16px}.facts dt{font-weight:600}.facts dd{margin:0}
.cards{display:flex;flex-wrap:wrap;gap:16px}.cards>*{flex:1 1 280px}
.card{border:1px solid var(--line);border-radius:6px;padding:4px 16px}
.card form p{margin:6px 0}.card label{display:inline-block;min-width:6em}
.rendered{border:1px solid var(--line);border-radius:6px;padding:4px 16px;margin:6px 0}
iframe.preview{width:100%;height:440px;border:1px solid var(--line);border-radius:6px}iframe.email{height:520px}
details{margin:6px 0}summary{cursor:pointer;font-weight:600}
pre{white-space:pre-wrap;background:var(--panel);padding:8px;border-radius:4px;font-size:13px}
.calendar td{height:80px;width:13%}.calendar .day{font-size:12px;color:var(--muted)}.calendar .today{background:#eef4ff}
.calendar ul{list-style:none;margin:4px 0 0;padding:0;font-size:13px}.calendar .time{color:var(--muted)}
.actions form{display:inline}
tbody th[scope=row]{white-space:nowrap}
td code{word-break:break-all;font-size:12px}
.pages{display:flex;gap:16px;margin:8px 0}
progress{width:160px}
`;

/** Sets the browser's IANA zone as a cookie, so the next page shows times in it (once per zone). */
const ZONE_JS = `(function(){
  var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  if (!zone || document.cookie.indexOf('herald_tz=' + encodeURIComponent(zone)) !== -1) return;
  document.cookie = 'herald_tz=' + encodeURIComponent(zone) + '; path=/; max-age=31536000; samesite=strict';
  if (sessionStorage.getItem('herald_tz_reloaded') !== zone && location.search.indexOf('tz=') === -1) {
    sessionStorage.setItem('herald_tz_reloaded', zone);
    location.reload();
  }
})();
`;

/**
 * Polls the status route while deliveries can still move and redraws the counts and failures
 * (text only: nothing received is parsed as HTML).
 */
const STATUS_JS = `(function(){
  var table = document.getElementById('targets');
  if (!table) return;
  var url = table.getAttribute('data-poll');
  function cell(row, text, tag){ var c = document.createElement(tag || 'td'); c.textContent = text; row.appendChild(c); return c; }
  function draw(data){
    var status = document.getElementById('release-status');
    status.textContent = data.status;
    status.className = 'status status-' + data.status;
    var body = table.tBodies[0];
    while (body.firstChild) body.removeChild(body.firstChild);
    data.targets.forEach(function(t){
      var row = document.createElement('tr');
      row.setAttribute('data-target', t.target);
      cell(row, t.target, 'th').setAttribute('scope', 'row');
      cell(row, t.done + '/' + t.total).className = 'done';
      var bar = document.createElement('progress');
      bar.max = t.total; bar.value = t.done; bar.setAttribute('aria-label', t.target + ' progress');
      cell(row, '').appendChild(bar);
      cell(row, t.states).className = 'states';
      body.appendChild(row);
    });
    var list = document.getElementById('failures');
    while (list.firstChild) list.removeChild(list.firstChild);
    if (data.failures.length === 0) { var none = document.createElement('li'); none.textContent = 'None.'; list.appendChild(none); }
    data.failures.forEach(function(f){
      var item = document.createElement('li');
      var what = document.createElement('strong'); what.textContent = f.target + ' ' + f.key;
      item.appendChild(what);
      item.appendChild(document.createTextNode(': ' + f.message + (f.fix ? ' Fix: ' + f.fix : '')));
      list.appendChild(item);
    });
    document.getElementById('live').textContent = data.live ? '(updating live)' : '';
  }
  function poll(){
    fetch(url, { credentials: 'same-origin', headers: { accept: 'application/json' } })
      .then(function(r){ return r.ok ? r.json() : null; })
      .then(function(data){
        if (!data) return;
        draw(data);
        if (data.live) setTimeout(poll, data.status === 'announcing' ? 1000 : 3000);
      }, function(){ setTimeout(poll, 5000); });
  }
  poll();
})();
`;

export function registerAssets(fastify: FastifyInstance) {
  const asset = (path: string, type: string, body: string) =>
    fastify.get(path, async (_request, reply) =>
      reply.header('cache-control', 'public, max-age=300').type(type).send(body),
    );
  asset('/assets/dashboard.css', 'text/css; charset=utf-8', CSS);
  asset('/assets/dashboard-zone.js', 'text/javascript; charset=utf-8', ZONE_JS);
  asset('/assets/dashboard-status.js', 'text/javascript; charset=utf-8', STATUS_JS);
}
