import type { Element, ElementContent, Root } from 'hast';
import rehypeRaw from 'rehype-raw';
import rehypeStringify from 'rehype-stringify';
import { unified } from 'unified';
import { deliveryFailures } from '../errors/delivery-failures.js';

/**
 * SVG files from a docs tree are published as they are to the help centre, where a browser opening
 * one runs its `<script>`, `onload=` or `<foreignObject>` HTML on the help centre's origin. Each SVG
 * is parsed (parse5, through rehype-raw, as browsers parse inline SVG) and rebuilt from an
 * allow-list of drawing elements and attributes: no scripts, no event handlers, no HTML, no links
 * and no references outside the file (`href` only to `#fragment`, `url(#…)` only). What cannot be
 * cleaned (no `<svg>` at all) is refused. Every removal is reported with its line and column.
 */

export interface SvgProblem {
  line: number;
  column: number;
  message: string;
}

export interface SvgResult {
  /** The cleaned SVG document; null when refused. */
  svg: string | null;
  /** What was taken out, in document order. */
  removed: SvgProblem[];
  refused: SvgProblem | null;
}

const ELEMENTS = new Set(
  (
    'svg g defs symbol use title desc path rect circle ellipse line polyline polygon text tspan textPath ' +
    'linearGradient radialGradient stop clipPath mask pattern marker image filter feBlend feColorMatrix ' +
    'feComponentTransfer feComposite feDropShadow feFlood feGaussianBlur feMerge feMergeNode feMorphology ' +
    'feOffset feFuncA feFuncR feFuncG feFuncB feTurbulence feDisplacementMap'
  ).split(' '),
);
/** Wrappers whose drawing is kept without them (a link goes, what it wraps stays). */
const UNWRAP = new Set(['a', 'switch']);
/** hast property names (camelCase) of the presentation and geometry attributes SVG drawings use. */
const PROPERTIES = new Set(
  (
    'id className style transform viewBox preserveAspectRatio width height x y x1 y1 x2 y2 cx cy r rx ry ' +
    'd points pathLength fill fillOpacity fillRule stroke strokeWidth strokeOpacity strokeLinecap ' +
    'strokeLinejoin strokeDasharray strokeDashoffset strokeMiterlimit opacity clipPath clipRule mask ' +
    'filter fontFamily fontSize fontWeight fontStyle fontVariant textAnchor dominantBaseline ' +
    'alignmentBaseline baselineShift letterSpacing wordSpacing textDecoration dx dy rotate textLength ' +
    'lengthAdjust offset stopColor stopOpacity gradientUnits gradientTransform spreadMethod fx fy fr ' +
    'patternUnits patternContentUnits patternTransform markerWidth markerHeight markerUnits refX refY ' +
    'orient markerStart markerMid markerEnd clipPathUnits maskUnits maskContentUnits filterUnits ' +
    'primitiveUnits stdDeviation in in2 result mode values type operator k1 k2 k3 k4 scale ' +
    'xChannelSelector yChannelSelector baseFrequency numOctaves seed stitchTiles radius tableValues ' +
    'slope intercept amplitude exponent floodColor floodOpacity color display visibility overflow ' +
    'vectorEffect shapeRendering textRendering imageRendering colorInterpolationFilters paintOrder ' +
    'mixBlendMode isolation xmlns xmlnsXLink version href xLinkHref role ariaLabel ariaHidden lang ' +
    'xmlLang xmlSpace startOffset method spacing side'
  ).split(' '),
);
const SVG_NS = 'http://www.w3.org/2000/svg';
const XLINK_NS = 'http://www.w3.org/1999/xlink';
/** Raster images may be embedded; anything else an <image> points at is outside the file. */
const EMBEDDED_RASTER = /^data:image\/(?:png|jpeg|gif|webp);base64,[A-Za-z0-9+/=\s]*$/;

const parser = unified().use(rehypeRaw).freeze();
const printer = unified().use(rehypeStringify, { space: 'svg', closeEmptyElements: true }).freeze();

export function sanitizeSvg(source: string): SvgResult {
  const lines = source.split('\n').length;
  const raw = {
    type: 'raw',
    value: source,
    position: {
      start: { line: 1, column: 1, offset: 0 },
      end: { line: lines, column: 1, offset: source.length },
    },
  };
  const tree = parser.runSync({ type: 'root', children: [raw] } as unknown as Root) as Root;
  const removed: SvgProblem[] = [];
  const at = (node: { position?: Element['position'] }, message: string): SvgProblem => ({
    line: node.position?.start.line ?? 1,
    column: node.position?.start.column ?? 1,
    message,
  });
  const root = tree.children.find((n): n is Element => n.type === 'element' && n.tagName === 'svg');
  if (!root)
    return {
      svg: null,
      removed,
      refused: { line: 1, column: 1, message: 'has no <svg> element: not an SVG image' },
    };

  const cleanElement = (element: Element): ElementContent[] => {
    if (UNWRAP.has(element.tagName)) {
      removed.push(at(element, `<${element.tagName}> removed (its drawing kept)`));
      return element.children.flatMap(cleanNode);
    }
    if (!ELEMENTS.has(element.tagName)) {
      removed.push(at(element, `<${element.tagName}> removed`));
      return [];
    }
    for (const [name, value] of Object.entries(element.properties)) {
      const problem = propertyProblem(element.tagName, name, value);
      if (problem) {
        removed.push(at(element, `${problem} on <${element.tagName}> removed`));
        delete element.properties[name];
      }
    }
    element.children = element.children.flatMap(cleanNode);
    return [element];
  };
  const cleanNode = (node: ElementContent): ElementContent[] => {
    if (node.type === 'element') return cleanElement(node);
    return node.type === 'text' ? [node] : [];
  };

  cleanElement(root);
  root.properties.xmlns = SVG_NS;
  if (JSON.stringify(root).includes('"xLinkHref"')) root.properties.xmlnsXLink = XLINK_NS;
  const svg = printer.stringify({ type: 'root', children: [root] });
  return { svg: `${svg}\n`, removed, refused: null };
}

/** Why an attribute goes (its name as written, roughly), or null when it stays. */
function propertyProblem(tag: string, name: string, value: unknown): string | null {
  if (/^on[A-Z]/.test(name)) return `event handler ${name.toLowerCase()}`;
  // Accessibility attributes (aria-labelledby pointing at the <title>) carry no behaviour.
  if (!PROPERTIES.has(name) && !/^aria[A-Z]/.test(name) && name !== 'focusable') return `attribute ${name}`;
  const text = Array.isArray(value) ? value.join(' ') : String(value);
  if (name === 'href' || name === 'xLinkHref') {
    if (text.startsWith('#')) return null;
    if (tag === 'image' && EMBEDDED_RASTER.test(text)) return null;
    return `link to ${text.slice(0, 60)}`;
  }
  // url(…) references (fill, filter, clip-path, style) must stay inside the file.
  for (const match of text.matchAll(/url\(\s*['"]?([^'")]*)/gi))
    if (!match[1]!.trim().startsWith('#')) return `reference to ${match[1]!.slice(0, 60)}`;
  if (name === 'style' && /@import|expression\s*\(|javascript:|behavior\s*:|-moz-binding/i.test(text))
    return 'style with scripts or imports';
  return null;
}

/** The problems `docs check` reports for an SVG: what publishing would remove, or why it refuses it. */
export function checkSvg(source: string): SvgProblem[] {
  const result = sanitizeSvg(source);
  return result.refused ? [result.refused] : result.removed;
}

/**
 * The bytes to publish for an attachment: an SVG as sanitizeSvg rebuilds it (no scripts, event
 * handlers, HTML or outside references); one that is not an SVG at all, or compressed, is refused.
 * Every help centre gets the cleaned bytes: an uploaded SVG is served from the help centre's origin.
 */
export function publishableAttachment<T extends { fileName: string; contentType: string; bytes: Uint8Array }>(
  input: T,
): T {
  const name = input.fileName.toLowerCase();
  if (name.endsWith('.svgz'))
    throw deliveryFailures.imageRefused(
      `${input.fileName}: a compressed SVG cannot be checked for scripts`,
      'Commit the drawing as an uncompressed .svg.',
    );
  if (!/^image\/svg\+xml\b/i.test(input.contentType) && !name.endsWith('.svg')) return input;
  const result = sanitizeSvg(new TextDecoder().decode(input.bytes));
  if (result.svg === null)
    throw deliveryFailures.imageRefused(
      `${input.fileName}:${result.refused?.line ?? 1}:${result.refused?.column ?? 1} ${result.refused?.message ?? 'is not an SVG'}`,
      'Export the drawing again as a plain SVG, or as a PNG.',
    );
  return { ...input, contentType: 'image/svg+xml', bytes: new TextEncoder().encode(result.svg) };
}
