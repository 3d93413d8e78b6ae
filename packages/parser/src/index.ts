// Public API of @tsigma/parser: Sigma YAML to a typed, plain-data AST, with located errors.

export { parseSigmaYaml } from './parse-yaml.js';
export type { ParseOptions } from './parse-yaml.js';
export { parseSigmaFile, parseSigmaFiles, readSigmaFiles, parseSigmaDirectory, findSigmaRuleFiles } from './parse-files.js';
export { parseCondition, selectDetectionNames } from './condition.js';
export { parseFieldSpec } from './field-spec.js';
export { closestName } from './closest-name.js';
export { SIGMA_LEVELS, SIGMA_STATUSES } from './metadata.js';
export { parseTimespan } from './timespan.js';
export { parseSigmaString, isPlain } from './sigma-string.js';
export { readYamlDocuments } from './yaml-tree.js';
export type { TreeNode, TreeMap, TreeSeq, TreeScalar, TreeEntry, YamlDocument, YamlSyntaxError } from './yaml-tree.js';
export { SigmaParseError } from './errors.js';
export type { SigmaParseErrorCode, SigmaParseSeverity, SigmaParseErrorDetails } from './errors.js';
export { hasErrors, throwIfErrors } from './collection.js';
export type { SigmaCollection, ParsedSigmaCollection } from './collection.js';
export type {
  Level,
  Status,
  SourceLocation,
  RuleMeta,
  LogSource,
  SigmaRule,
  Detections,
  Detection,
  DetectionItem,
  FieldSpec,
  Modifier,
  SigmaString,
  SigmaValue,
  ConditionExpr,
  CorrelationType,
  Timespan,
  CorrelationCondition,
  CorrelationRule,
  FilterRule,
} from './ast.js';
