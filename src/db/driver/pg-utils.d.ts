// node-postgres's conversion of a JavaScript value to a bind parameter's text, which its package
// exports (`pg/lib/*`) but does not type.
declare module 'pg/lib/utils.js' {
  const utils: { prepareValue(value: unknown): string | Buffer | null };
  export default utils;
}
