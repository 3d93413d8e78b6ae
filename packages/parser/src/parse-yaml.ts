// Entry point from text: splits a YAML stream into documents, applies collection actions
// (global / reset / repeat, spec 01 §2) and dispatches each document to its rule kind.
// Never throws for rule problems; every problem ends up in `errors`.

import { appendAll } from './append-all.js';
import { createCollection, type ParsedSigmaCollection } from './collection.js';
import { readCorrelationRule } from './correlation.js';
import { readDetectionRule } from './detection-rule.js';
import { DocumentContext, type SourceText } from './document-context.js';
import { readFilterRule } from './filter-rule.js';
import { LineIndex } from './line-index.js';
import { scalarText } from './tree-values.js';
import {
  entryOf,
  mergeTrees,
  readYamlDocuments,
  withoutKey,
  type TreeMap,
  type TreeProblem,
  type YamlDocument,
  type YamlSyntaxError,
} from './yaml-tree.js';

/** Options of {@link parseSigmaYaml}. */
export interface ParseOptions {
  /** File name recorded in rule sources and error locations. */
  file?: string;
  /**
   * The documents of `text` as {@link readYamlDocuments} returns them, when the caller already read them (the
   * linter walks the same trees); they must come from this very text. The trees are not modified.
   */
  documents?: readonly (YamlDocument | YamlSyntaxError)[];
}

/**
 * Parses a Sigma YAML text (one or more documents) into rules and problems; never throws for rule problems.
 *
 * @example
 * const { rules, errors } = parseSigmaYaml(text, { file: 'rules/whoami.yml' });
 * for (const e of errors) console.error(e.toString());
 */
export function parseSigmaYaml(text: string, opts: ParseOptions = {}): ParsedSigmaCollection {
  const collection = createCollection();
  const source: SourceText =
    opts.file === undefined ? { text, lines: new LineIndex(text) } : { text, lines: new LineIndex(text), file: opts.file };
  const docs = opts.documents ?? readYamlDocuments(text);
  let template: TreeMap | undefined;
  let previous: TreeMap | undefined;
  for (let index = 0; index < docs.length; index++) {
    const doc = docs[index] as YamlDocument | YamlSyntaxError;
    const ctx = new DocumentContext(source, index);
    if ('syntax' in doc) {
      // A syntax error leaves the rest of the stream unreliable, so the file stops here (spec 01 §2).
      ctx.error('yaml_syntax', doc.syntax, doc.offset);
      appendAll(collection.errors, ctx.finish(undefined));
      break;
    }
    const { tree } = doc;
    reportTreeProblems(ctx, doc.problems);
    // An empty document (e.g. a trailing `---`) holds no rule.
    if (tree === null || (tree.kind === 'scalar' && tree.value === null)) {
      appendAll(collection.errors, ctx.finish(undefined));
      continue;
    }
    if (tree.kind !== 'map') {
      ctx.error('not_a_mapping', `document ${index + 1} is a ${tree.kind === 'seq' ? 'list' : 'scalar'}, not a mapping`, tree.start);
    }
    if (tree.kind !== 'map' || ctx.rejected) {
      appendAll(collection.errors, ctx.finish(undefined));
      continue;
    }
    const mergeProblems: TreeProblem[] = [];
    const action = entryOf(tree, 'action');
    let effective: TreeMap | undefined = tree;
    if (action !== undefined) {
      const name = action.value.kind === 'scalar' ? action.value.value : undefined;
      const body = withoutKey(tree, 'action');
      effective = undefined;
      if (name === 'global') {
        template = body;
      } else if (name === 'reset') {
        template = undefined;
      } else if (name === 'repeat') {
        if (previous === undefined)
          ctx.error(
            'repeat_without_previous',
            `'action: repeat' needs an earlier rule document in the same file`,
            action.keyStart,
            'action',
          );
        else effective = mergeTrees(previous, body, mergeProblems);
      } else {
        ctx.error(
          'unknown_action',
          `unknown action '${String(name ?? '')}'; expected global, reset or repeat`,
          action.value.start,
          'action',
        );
      }
    }
    if (effective !== undefined && template !== undefined) effective = mergeTrees(template, effective, mergeProblems);
    reportTreeProblems(ctx, mergeProblems);
    if (effective !== undefined) {
      previous = effective;
      readRuleDocument(ctx, effective, collection);
    } else {
      appendAll(collection.errors, ctx.finish(undefined));
    }
  }
  return collection;
}

function reportTreeProblems(ctx: DocumentContext, problems: TreeProblem[]): void {
  for (const p of problems) ctx.error(p.code, p.message, p.offset, p.path === '' ? undefined : p.path);
}

function readRuleDocument(ctx: DocumentContext, doc: TreeMap, collection: ParsedSigmaCollection): void {
  if (entryOf(doc, 'correlation') !== undefined) {
    const rule = readCorrelationRule(ctx, doc);
    if (rule && !ctx.rejected) collection.correlations.push(rule);
  } else if (entryOf(doc, 'filter') !== undefined) {
    const rule = readFilterRule(ctx, doc);
    if (rule && !ctx.rejected) collection.filters.push(rule);
  } else {
    const rule = readDetectionRule(ctx, doc);
    if (rule && !ctx.rejected) collection.rules.push(rule);
  }
  const title = entryOf(doc, 'title')?.value;
  appendAll(collection.errors, ctx.finish(title?.kind === 'scalar' && title.value !== null ? scalarText(title) : undefined));
}
