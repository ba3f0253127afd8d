// The floor for `herald docs build`: the same unified pipeline over the same files, read from
// disk, one after another in one process, with nothing else (no git, no checks, no cache).
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { defaultSchema } from 'hast-util-sanitize';
import rehypeRaw from 'rehype-raw';
import rehypeSanitize from 'rehype-sanitize';
import rehypeStringify from 'rehype-stringify';
import remarkFrontmatter from 'remark-frontmatter';
import remarkGfm from 'remark-gfm';
import remarkParse from 'remark-parse';
import remarkRehype from 'remark-rehype';
import { unified } from 'unified';

const dir = process.argv[2];
const processor = unified()
  .use(remarkParse)
  .use(remarkFrontmatter, ['yaml'])
  .use(remarkGfm)
  .use(remarkRehype, { allowDangerousHtml: true })
  .use(rehypeRaw)
  .use(rehypeSanitize, { ...defaultSchema, clobber: [] })
  .use(rehypeStringify)
  .freeze();

let pages = 0;
let bytes = 0;
for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
  if (!entry.isFile() || !entry.name.endsWith('.md')) continue;
  const html = String(processor.processSync(readFileSync(path.join(entry.parentPath, entry.name), 'utf8')));
  pages++;
  bytes += html.length;
}
console.log(JSON.stringify({ pages, bytes }));
