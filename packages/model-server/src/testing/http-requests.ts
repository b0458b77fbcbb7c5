import { request as httpRequest, type ClientRequest, type IncomingHttpHeaders } from 'node:http';

export interface HttpAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface HttpRequestOptions {
  headers?: Record<string, string | number>;
  /** The whole body; or `write` sends it as it likes, and ends the request or not. */
  body?: string | Buffer;
  write?: (request: ClientRequest) => void;
}

/**
 * One request on a connection of its own, resolved with the answer. An error after the answer has come (the server
 * closing the connection on a body it stopped reading) is not a failure.
 */
export function sendRequest(port: number, method: string, path: string, options: HttpRequestOptions = {}): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    let answered = false;
    const request = httpRequest({ host: '127.0.0.1', port, method, path, headers: options.headers, agent: false }, (response) => {
      answered = true;
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode!, headers: response.headers, body: Buffer.concat(chunks).toString('utf8') }));
      response.on('error', reject);
    });
    request.on('error', (error) => {
      if (!answered) reject(error);
    });
    if (options.write !== undefined) options.write(request);
    else request.end(options.body);
  });
}

/** A JSON POST. */
export function postJson(port: number, path: string, body: unknown, headers: Record<string, string> = {}): Promise<HttpAnswer> {
  return sendRequest(port, 'POST', path, { headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });
}
