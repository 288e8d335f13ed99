/** Public surface of the expression module (pure: JSONata compile and bounded evaluation). */
export {
  parseTemplateString,
  collectExpressions,
  hasExpressions,
  walkStrings,
  UnterminatedExpressionError,
  type TemplatePart,
  type FoundExpression,
  type TemplateProblem,
} from './template.js';
export {
  compileExpression,
  referencedStepIds,
  ExpressionSyntaxError,
  DEFAULT_LIMITS,
  type EvaluationLimits,
  type StepReference,
} from './compile.js';
export { evaluateTemplate, evaluateExpression, isTruthy, isTimeoutMessageOf, ExpressionFailure, type Bindings } from './evaluate.js';
export { checkTemplate, type TemplateCheckProblem } from './check.js';
