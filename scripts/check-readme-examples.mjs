// Keeps README code in step with the examples the tests type-check and run (STYLE.md "Comments and docs").
//
// In packages/*/README.md and the root README.md, a fenced code block preceded by
//   <!-- example: examples/<file>.ts -->         (the whole file, path relative to the README)
//   <!-- example: examples/<file>.ts#<name> -->  (the lines between `// #region <name>` and `// #endregion`)
// must equal that text; `// #region` / `// #endregion` marker lines are never shown, and a region is dedented.
// Every ```ts block must carry such a comment. Blocks may be indented (e.g. inside a list item); the fence's
// indentation is removed before comparing.
//
//   node scripts/check-readme-examples.mjs          check; exit 1 naming README, line and example on a mismatch
//   node scripts/check-readme-examples.mjs --write  rewrite the blocks from the example files, then check the rest
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

const root = join(import.meta.dirname, '..');
const write = process.argv.includes('--write');
const COMMENT_RE = /^\s*<!--\s*example:\s*(\S+?)(?:#([\w.-]+))?\s*-->\s*$/;
const REGION_RE = /^\s*\/\/\s*#region\s+(\S+)\s*$/;
const ENDREGION_RE = /^\s*\/\/\s*#endregion\b/;

function readmes() {
  const found = [];
  if (existsSync(join(root, 'README.md'))) found.push(join(root, 'README.md'));
  const packages = join(root, 'packages');
  for (const name of readdirSync(packages).sort()) {
    const file = join(packages, name, 'README.md');
    if (existsSync(file)) found.push(file);
  }
  return found;
}

/** The fenced code blocks of a Markdown text: fence line index, indentation, language, content line range. */
function codeBlocks(lines) {
  const blocks = [];
  for (let i = 0; i < lines.length; i++) {
    // Fences inside list items may be indented further than three spaces; accept any indentation.
    const open = /^(\s*)(`{3,}|~{3,})\s*([^`\s]*)/.exec(lines[i]);
    if (!open) continue;
    const [, indent, fence, lang] = open;
    let end = i + 1;
    while (end < lines.length) {
      const close = /^\s*(`{3,}|~{3,})\s*$/.exec(lines[end]);
      if (close && close[1][0] === fence[0] && close[1].length >= fence.length) break;
      end++;
    }
    blocks.push({ fenceLine: i, indent, lang, start: i + 1, end });
    i = end;
  }
  return blocks;
}

/** The text an example comment names (whole file or one region, markers dropped), or an error message. */
function exampleText(file, region) {
  if (!existsSync(file)) return { error: 'does not exist' };
  const lines = readFileSync(file, 'utf8').replace(/\r\n/g, '\n').replace(/\n+$/, '').split('\n');
  let picked = lines;
  if (region !== undefined) {
    const from = lines.findIndex((l) => REGION_RE.exec(l)?.[1] === region);
    if (from < 0) return { error: `has no "// #region ${region}"` };
    const to = lines.findIndex((l, k) => k > from && ENDREGION_RE.test(l));
    if (to < 0) return { error: `has no "// #endregion" after region ${region}` };
    picked = dedent(lines.slice(from + 1, to));
  }
  return { text: picked.filter((l) => !REGION_RE.test(l) && !ENDREGION_RE.test(l)) };
}

function dedent(lines) {
  const widths = lines.filter((l) => l.trim() !== '').map((l) => /^ */.exec(l)[0].length);
  const cut = widths.length === 0 ? 0 : Math.min(...widths);
  return lines.map((l) => l.slice(cut));
}

/** Removes a block's fence indentation from one content line (blank lines may carry less). */
function unindent(line, indent) {
  return line.startsWith(indent) ? line.slice(indent.length) : line.trimStart();
}

const problems = [];
let checked = 0;
let rewritten = 0;
for (const readme of readmes()) {
  const name = relative(root, readme);
  const source = readFileSync(readme, 'utf8');
  const lines = source.split('\n');
  const blocks = codeBlocks(lines);
  const blockAt = new Map(blocks.map((b) => [b.fenceLine, b]));
  const claimed = new Set();
  // Replacements are collected and applied bottom-up so earlier line numbers stay valid.
  const replacements = [];

  for (let i = 0; i < lines.length; i++) {
    const comment = COMMENT_RE.exec(lines[i]);
    if (!comment) continue;
    const [, path, region] = comment;
    const label = region === undefined ? path : `${path}#${region}`;
    let next = i + 1;
    while (next < lines.length && lines[next].trim() === '') next++;
    const block = blockAt.get(next);
    if (block === undefined) {
      problems.push(`${name}:${i + 1}: <!-- example: ${label} --> is not followed by a code block`);
      continue;
    }
    claimed.add(block.fenceLine);
    checked++;
    const example = exampleText(join(dirname(readme), path), region);
    if (example.error !== undefined) {
      problems.push(`${name}:${block.fenceLine + 1}: example ${label} ${example.error}`);
      continue;
    }
    const shown = lines.slice(block.start, block.end).map((l) => unindent(l, block.indent));
    const differs = shown.length !== example.text.length || shown.some((l, k) => l !== example.text[k]);
    if (!differs) continue;
    if (write) {
      replacements.push({ block, text: example.text.map((l) => (l === '' ? '' : block.indent + l)) });
      continue;
    }
    const k = shown.findIndex((l, n) => l !== example.text[n]);
    const at = k < 0 ? Math.min(shown.length, example.text.length) : k;
    problems.push(
      `${name}:${block.start + at + 1}: code block differs from example ${label} (its line ${at + 1}): ` +
        `README has ${JSON.stringify(shown[at] ?? '<end of block>')}, example has ${JSON.stringify(example.text[at] ?? '<end of file>')}` +
        ' (run node scripts/check-readme-examples.mjs --write)',
    );
  }

  for (const block of blocks) {
    if (block.lang === 'ts' && !claimed.has(block.fenceLine)) {
      problems.push(`${name}:${block.fenceLine + 1}: \`\`\`ts block without <!-- example: examples/<file>.ts --> before it`);
    }
  }

  if (replacements.length > 0) {
    for (const { block, text } of replacements.reverse()) lines.splice(block.start, block.end - block.start, ...text);
    writeFileSync(readme, lines.join('\n'));
    rewritten += replacements.length;
    console.log(`${name}: rewrote ${replacements.length} block(s)`);
  }
}

if (problems.length > 0) {
  for (const p of problems) console.error(p);
  console.error(`check-readme-examples: ${problems.length} problem(s)`);
  process.exit(1);
}
console.log(`check-readme-examples: ${checked} README block(s) match their examples${write ? `, ${rewritten} rewritten` : ''}`);
