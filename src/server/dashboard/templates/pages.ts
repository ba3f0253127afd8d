// The frame and the list pages of the dashboard (Handlebars; `{{…}}` escapes).

const layout = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<title>{{title}} · Herald</title>
<link rel="stylesheet" href="/assets/dashboard.css">
<script src="/assets/dashboard-zone.js" defer></script>
{{#each scripts}}<script src="{{this}}" defer></script>
{{/each}}
</head>
<body>
<a class="skip" href="#main">Skip to the content</a>
<header class="top">
  <span class="brand">Herald</span>
  <nav aria-label="Dashboard">
    <ul>
      <li><a href="/releases"{{#if (eq section "releases")}} aria-current="page"{{/if}}>Releases</a></li>
      <li><a href="/releases/calendar"{{#if (eq section "calendar")}} aria-current="page"{{/if}}>Calendar</a></li>
      <li><a href="/subscribers"{{#if (eq section "subscribers")}} aria-current="page"{{/if}}>Subscribers</a></li>
    </ul>
  </nav>
  {{#if viewer}}<p class="who">{{viewer.name}} <span class="role">{{viewer.role}}</span></p>{{/if}}
</header>
<main id="main">
{{{body}}}
</main>
</body>
</html>
`;

const _notice = `{{#if notice}}<p class="notice" role="status">{{notice}}</p>{{/if}}
{{#if problem}}<div class="problem" role="alert"><p><strong>{{problem.message}}</strong></p>
{{#if problem.fix}}<p>{{problem.fix}}</p>{{/if}}
{{#if problem.details}}<ul>{{#each problem.details}}<li>{{this}}</li>{{/each}}</ul>{{/if}}</div>{{/if}}`;

const _csrf = `<input type="hidden" name="_csrf" value="{{frame.csrf}}">`;

const releases = `<h1>Releases</h1>
{{> notice}}
<form class="filters" method="get" action="/releases" aria-label="Filter releases">
  <p><label for="f-product">Product</label>
  <select id="f-product" name="product"><option value="">Every product</option>
  {{#each products}}<option value="{{value}}"{{#if selected}} selected{{/if}}>{{value}}</option>{{/each}}</select></p>
  <p><label for="f-package">Package</label>
  <select id="f-package" name="package"><option value="">Every package</option>
  {{#each packages}}<option value="{{value}}"{{#if selected}} selected{{/if}}>{{label}}</option>{{/each}}</select></p>
  <p><label for="f-status">Status</label>
  <select id="f-status" name="status"><option value="">Every status</option>
  {{#each statuses}}<option value="{{value}}"{{#if selected}} selected{{/if}}>{{value}}</option>{{/each}}</select></p>
  <p><label for="f-tz">Your time zone</label>
  <input id="f-tz" name="tz" value="{{zone}}" list="zones" autocomplete="off"></p>
  <p><button type="submit">Show</button></p>
</form>
<datalist id="zones">{{#each zones}}<option value="{{this}}">{{/each}}</datalist>
<p class="meta">Newest first, {{rows.length}} on page {{page}}. Store time: {{now}}.</p>
{{#if rows.length}}
<div class="scroll" tabindex="0" role="region" aria-label="Releases table"><table>
<caption class="sr-only">Prepared releases, newest first</caption>
<thead><tr><th scope="col">Release</th><th scope="col">Status</th><th scope="col">Announce at (stored zone)</th>
<th scope="col">Your time ({{zone}})</th><th scope="col">When</th><th scope="col">Revision</th><th scope="col">Deliveries</th></tr></thead>
<tbody>
{{#each rows}}<tr>
<th scope="row"><a href="{{url}}">{{name}}</a></th>
<td><span class="status status-{{status}}">{{statusText}}</span></td>
<td>{{stored}}</td><td>{{local}}</td><td>{{relative}}</td><td>r{{revision}}</td><td>{{deliveries}}</td>
</tr>{{/each}}
</tbody></table></div>
{{else}}<p>No prepared releases match. <code>herald prepare</code> stores one.</p>{{/if}}
{{#if (or previous next)}}<nav class="pages" aria-label="Pages of releases">{{#if previous}}<a href="{{previous}}" rel="prev">Newer</a>{{/if}} {{#if next}}<a href="{{next}}" rel="next">Older</a>{{/if}}</nav>{{/if}}
`;

const calendar = `<h1>Calendar</h1>
<p class="meta">Scheduled announcements in the coming {{weeks.length}} weeks, in your time zone ({{zone}}); <a href="/releases/calendar?tz=UTC">UTC</a>. Store time: {{now}}.</p>
<div class="scroll" tabindex="0" role="region" aria-label="Calendar"><table class="calendar">
<caption class="sr-only">Announcements per day</caption>
<thead><tr><th scope="col">Week</th>{{#each weekdays}}<th scope="col">{{this}}</th>{{/each}}</tr></thead>
<tbody>
{{#each weeks}}<tr><th scope="row">{{label}}</th>
{{#each days}}<td class="{{#if today}}today{{/if}}{{#if past}} past{{/if}}"><span class="day">{{label}}</span>
{{#if items.length}}<ul>{{#each items}}<li><a href="{{url}}">{{name}}</a> <span class="time">{{time}}</span> <span class="status status-{{status}}">{{status}}</span></li>{{/each}}</ul>{{/if}}</td>
{{/each}}</tr>
{{/each}}
</tbody></table></div>
{{#if unscheduled.length}}<h2>Without a date</h2>
<ul>{{#each unscheduled}}<li><a href="{{url}}">{{name}}</a> <span class="status status-{{status}}">{{status}}</span></li>{{/each}}</ul>{{/if}}
`;

const subscribers = `<h1>Subscribers of {{product}}</h1>
{{> notice}}
<section aria-labelledby="counts"><h2 id="counts">Counts</h2>
<div class="cards">
<table><caption>Per status</caption><thead><tr><th scope="col">Status</th><th scope="col">Subscribers</th></tr></thead>
<tbody>{{#each statusCounts}}<tr><th scope="row">{{status}}</th><td>{{count}}</td></tr>{{/each}}</tbody></table>
<table><caption>Confirmed, per topic</caption><thead><tr><th scope="col">Topic</th><th scope="col">Subscribers</th></tr></thead>
<tbody>{{#each topicCounts}}<tr><th scope="row">{{topic}}</th><td>{{count}}</td></tr>{{/each}}</tbody></table>
</div></section>
<section aria-labelledby="search"><h2 id="search">Find an address</h2>
<form method="get" action="/subscribers" role="search" aria-label="Subscribers"><p><label for="q">Address contains</label>
<input id="q" name="q" value="{{query}}" type="search" autocomplete="off"> <button type="submit">Search</button></p></form>
{{#if query}}{{#if found.length}}<div class="scroll" tabindex="0" role="region" aria-label="Matching subscribers"><table><caption>Matching subscribers{{#if foundMore}} (the first {{found.length}}){{/if}}</caption>
<thead><tr><th scope="col">Address</th><th scope="col">Name</th><th scope="col">Status</th><th scope="col">Topics</th>{{#if frame.canAct}}<th scope="col">Actions</th>{{/if}}</tr></thead>
<tbody>{{#each found}}<tr><th scope="row">{{email}}</th><td>{{name}}</td><td>{{status}}</td><td>{{topics}}</td>
{{#if ../frame.canAct}}<td class="actions">
<form method="post" action="/subscribers/unsubscribe"><input type="hidden" name="_csrf" value="{{../frame.csrf}}"><input type="hidden" name="email" value="{{email}}"><button type="submit">Unsubscribe<span class="sr-only"> {{email}}</span></button></form>
<form method="post" action="/subscribers/remove"><input type="hidden" name="_csrf" value="{{../frame.csrf}}"><input type="hidden" name="email" value="{{email}}"><button type="submit" class="danger">Remove<span class="sr-only"> {{email}}</span></button></form>
</td>{{/if}}</tr>{{/each}}</tbody></table></div>
{{else}}<p>Nobody's address contains “{{query}}”.</p>{{/if}}{{/if}}
</section>
<section aria-labelledby="transfer"><h2 id="transfer">Import and export</h2>
<p><a href="/subscribers/export.csv" download>Export every subscriber (CSV)</a></p>
{{#if frame.canAct}}<form method="post" action="/subscribers/import">
{{> csrf}}
<p><label for="csv">CSV to import as confirmed subscribers (columns: email, name, locale, topics)</label>
<textarea id="csv" name="csv" rows="6" cols="60" required></textarea></p>
<p><button type="submit">Import</button></p></form>{{/if}}
</section>
<section aria-labelledby="subscribers-audit"><h2 id="subscribers-audit">Audit log</h2>
{{#if audit.length}}<div class="scroll" tabindex="0" role="region" aria-label="Subscriber actions"><table id="subscribers-log"><caption>The team’s actions on the list, newest first (removed addresses as a digest)</caption>
<thead><tr><th scope="col">When</th><th scope="col">Who</th><th scope="col">What</th><th scope="col">Details</th></tr></thead>
<tbody>{{#each audit}}<tr><td>{{at}}</td><td>{{actor}}</td><td>{{action}}</td><td><code>{{details}}</code></td></tr>{{/each}}</tbody></table></div>
{{else}}<p>No actions yet.</p>{{/if}}
</section>
`;

const message = `<h1>{{heading}}</h1>
{{> notice}}
{{#if back}}<p><a href="{{back}}">Back</a></p>{{/if}}
`;

export const PAGES: Record<string, string> = {
  layout,
  _notice,
  _csrf,
  releases,
  calendar,
  subscribers,
  message,
};
