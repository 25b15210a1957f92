// The part of autocannon 9 (no bundled types) that the HTTP bench uses.
declare module 'autocannon' {
  namespace autocannon {
    interface Client {
      setHeaders(headers: Record<string, string>): void;
    }
    interface Request {
      method?: string;
      path?: string;
      body?: string;
      setupRequest?: (req: Request, context: Record<string, unknown>) => Request;
      onResponse?: (status: number, body: string, context: Record<string, unknown>) => void;
    }
    interface Options {
      url: string;
      connections?: number;
      duration?: number;
      amount?: number;
      timeout?: number;
      headers?: Record<string, string>;
      setupClient?: (client: Client) => void;
      requests?: Request[];
    }
    interface Histogram {
      p50: number;
      p99: number;
      max: number;
      total: number;
      sent: number;
    }
    interface Result {
      duration: number;
      errors: number;
      timeouts: number;
      non2xx: number;
      latency: Histogram;
      requests: Histogram;
    }
  }
  function autocannon(
    opts: autocannon.Options,
    cb: (err: Error | null, result: autocannon.Result) => void,
  ): { stop(): void };
  export = autocannon;
}
