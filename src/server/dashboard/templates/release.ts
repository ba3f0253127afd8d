// One release's pages: overview with previews and actions, the notes editor, delivery status.

const release = `<h1>{{title}}</h1>
{{> notice}}
<dl class="facts">
<dt>Status</dt><dd><span class="status status-{{status}}" data-status>{{statusText}}</span></dd>
<dt>Announce at</dt><dd>{{when.stored}}{{#if when.local}} <span class="local">({{when.local}} your time)</span>{{/if}}{{#if when.relative}}, {{when.relative}}{{/if}}</dd>
<dt>Revision</dt><dd>r{{revision}}, content revision {{contentRevision}}</dd>
<dt>Source</dt><dd>{{source}}</dd>
<dt>Deliveries</dt><dd>{{deliveries}} · <a href="{{urls.status}}">delivery status</a></dd>
</dl>
{{#if frame.canAct}}
<section aria-labelledby="actions"><h2 id="actions">Actions</h2>
<div class="cards">
<form method="post" action="{{urls.schedule}}" class="card" aria-labelledby="schedule-h">
<h3 id="schedule-h">{{#if announceAt}}Reschedule{{else}}Schedule{{/if}}</h3>
{{> csrf}}
<p><label for="s-date">Date</label> <input id="s-date" name="date" type="date" value="{{form.date}}" required></p>
<p><label for="s-time">Time</label> <input id="s-time" name="time" type="time" value="{{form.time}}" required></p>
<p><label for="s-zone">Time zone</label> <input id="s-zone" name="zone" value="{{form.zone}}" list="zones" required autocomplete="off"></p>
<p><button type="submit">Schedule</button></p>
</form>
<div class="card"><h3>Now or never</h3>
<form method="post" action="{{urls.now}}">{{> csrf}}<p><button type="submit">Announce now</button></p></form>
<form method="post" action="{{urls.hold}}">{{> csrf}}<p><button type="submit">Hold</button> <span class="hint">keeps it, without a date</span></p></form>
<form method="post" action="{{urls.cancel}}">{{> csrf}}<p><button type="submit" class="danger">Cancel the announcement</button></p></form>
{{#if failed}}<form method="post" action="{{urls.retry}}">{{> csrf}}<p><button type="submit">Retry {{failed}} failed deliveries</button></p></form>
{{#each failedTargets}}<form method="post" action="{{../urls.retry}}" class="retry-target"><input type="hidden" name="_csrf" value="{{../frame.csrf}}"><input type="hidden" name="target" value="{{target}}"><p><button type="submit">Retry {{target}}</button> <span class="hint">{{count}} failed</span></p></form>{{/each}}{{/if}}
<p><a href="{{urls.edit}}">Edit the notes</a> (reword, hide, reorder, intro)</p>
</div>
</div>
<datalist id="zones">{{#each zones}}<option value="{{this}}">{{/each}}</datalist>
</section>
{{/if}}
<section aria-labelledby="notes"><h2 id="notes">Notes per audience</h2>
{{#each notes}}<details{{#if @first}} open{{/if}}><summary>{{audience}} ({{entries}} entries{{#if edited}}, edited{{/if}})</summary>
<div class="rendered">{{{html}}}</div></details>{{/each}}
</section>
<section aria-labelledby="preview"><h2 id="preview">What each channel gets</h2>
<h3>Help centre: the release-notes article</h3>
<article class="rendered article" aria-label="Help-centre article">{{{article}}}</article>
<h3>Slack</h3>
{{#if slack.length}}{{#each slack}}<h4>{{label}}</h4>
{{#if error}}<p class="problem">{{error}}</p>{{else}}<iframe class="preview" sandbox src="{{url}}" title="{{label}} as Slack shows it" loading="lazy"></iframe>{{/if}}
{{/each}}{{else}}<p>No Slack channels are configured.</p>{{/if}}
<h3>Email</h3>
{{#if email.error}}<p>{{email.error}}</p>{{else}}
<p>To a subscriber of every topic: <strong>{{email.subject}}</strong>, from {{email.from}}</p>
<iframe class="preview email" sandbox src="{{urls.email}}" title="The email as a subscriber sees it" loading="lazy"></iframe>
<details><summary>Text part</summary><pre>{{email.text}}</pre></details>{{/if}}
</section>
<section aria-labelledby="docs"><h2 id="docs">Docs pages that change</h2>
{{#if docs.since}}<p>Since {{docs.since}}:</p>{{/if}}
{{#if docs.items.length}}<ul>{{#each docs.items}}<li><span class="change change-{{change}}">{{change}}</span> {{title}} <code>{{path}}</code></li>{{/each}}</ul>
{{else}}<p>{{docs.none}}</p>{{/if}}
</section>
<section aria-labelledby="audit"><h2 id="audit">Audit log</h2>
<div class="scroll" tabindex="0" role="region" aria-label="Audit log table"><table><caption class="sr-only">Every change, oldest first</caption>
<thead><tr><th scope="col">When</th><th scope="col">Who</th><th scope="col">What</th><th scope="col">Details</th></tr></thead>
<tbody>{{#each audit}}<tr><td>{{at}}</td><td>{{actor}}</td><td>{{action}}</td><td><code>{{details}}</code></td></tr>{{/each}}</tbody></table></div>
</section>
`;

const edit = `<h1>Edit the notes of {{title}}</h1>
{{> notice}}
<p>Audience: {{#each audiences}}{{#if current}}<strong>{{name}}</strong>{{else}}<a href="{{url}}">{{name}}</a>{{/if}} {{/each}}</p>
<form method="post" action="{{action}}">
{{> csrf}}
<input type="hidden" name="audience" value="{{audience}}">
<input type="hidden" name="base" value="{{base}}">
<p><label for="document">The notes, one line per change: reword the text after a <code>[#id]</code> marker; move lines to reorder; move a line under “Hidden” to hide it; write an intro under “Intro”.</label></p>
<textarea id="document" name="document" rows="24" cols="100" spellcheck="true">{{document}}</textarea>
<p><button type="submit">Store the edit</button> <a href="{{back}}">Back without storing</a></p>
</form>
`;

const choose = `<h1>Which {{wall}}?</h1>
{{> notice}}
<form method="post" action="{{action}}">
{{> csrf}}
<input type="hidden" name="zone" value="{{zone}}">
<fieldset><legend>{{wall}} happens twice in {{zone}} (the clocks go back). Pick one:</legend>
{{#each candidates}}<p><input type="radio" id="c{{@index}}" name="exact" value="{{value}}"{{#if @first}} checked{{/if}}> <label for="c{{@index}}">{{label}}</label></p>{{/each}}
</fieldset>
<p><button type="submit">Schedule</button> <a href="{{back}}">Back</a></p>
</form>
`;

const status = `<h1>Delivery status of {{title}}</h1>
<p>Release status: <span class="status status-{{status}}" id="release-status">{{status}}</span>
<span id="live" class="hint">{{#if live}}(this page updates itself while it is announcing; without JavaScript, reload it){{/if}}</span></p>
<p><a href="{{back}}">Back to the release</a></p>
<div class="scroll" tabindex="0" role="region" aria-label="Deliveries per target"><table id="targets" data-poll="{{poll}}">
<caption class="sr-only">Per target</caption>
<thead><tr><th scope="col">Target</th><th scope="col">Done</th><th scope="col">Progress</th><th scope="col">States</th></tr></thead>
<tbody>{{#each targets}}<tr data-target="{{target}}"><th scope="row">{{target}}</th><td class="done">{{done}}/{{total}}</td>
<td><progress max="{{total}}" value="{{done}}" aria-label="{{target}} progress">{{done}}/{{total}}</progress></td><td class="states">{{states}}</td></tr>
{{else}}<tr><td colspan="4">Nothing planned yet: deliveries are planned when the announce time has come.</td></tr>{{/each}}</tbody>
</table></div>
<h2>Failures</h2>
<ul id="failures">{{#each failures}}<li><strong>{{target}} {{key}}</strong>: {{message}}{{#if fix}} <em>Fix:</em> {{fix}}{{/if}}</li>{{else}}<li>None.</li>{{/each}}</ul>
`;

export const RELEASE_PAGES: Record<string, string> = { release, edit, choose, status };
