// Values vitest.config.ts provides to the tests (read with `inject`).
declare module 'vitest' {
  export interface ProvidedContext {
    /** Generated requests per endpoint in test/fuzz. */
    fuzzRuns: number;
    /** Origin of test/support/publisher-server.ts, the page checker's publisher. */
    publisherOrigin: string;
  }
}

export {};
