// `${NAME}` environment references in http source url, headers and body (spec 09 §1), expanded at fetch time so
// tokens stay out of YAML. Only upper-case names; everything else is left as written.

const ENV_REF = /\$\{([A-Z_][A-Z0-9_]*)\}/g;

/**
 * Replaces `${NAME}` with the environment value (unset → empty).
 *
 * @example expandEnv('Bearer ${TOKEN}', { TOKEN: 't' }) // 'Bearer t'
 */
export function expandEnv(text: string, env: NodeJS.ProcessEnv = process.env): string {
  return text.replace(ENV_REF, (_m, name: string) => env[name] ?? '');
}
