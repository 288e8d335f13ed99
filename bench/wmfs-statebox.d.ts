/** @wmfs/statebox ships no types; bench/statebox.ts describes the part it uses. */
declare module '@wmfs/statebox' {
  const Statebox: unknown;
  export default Statebox;
}
