// Vite's `?raw` imports, as the tests use them: a file's text.
declare module '*?raw' {
  const text: string;
  export default text;
}
