import { isUtf8 } from 'node:buffer';
import type { IncomingMessage } from 'node:http';
import { HttpError } from './http-error.js';

/** SageMaker's limit on an invocation's payload: 6 MB. */
export const MAX_PAYLOAD_BYTES = 6 * 1024 * 1024;

export const JSON_TYPE = 'application/json';
export const JSON_LINES_TYPE = 'application/jsonlines';
/** Other names clients give JSON Lines. */
const JSON_LINES_ALIASES = ['application/jsonl', 'application/x-jsonlines', 'application/json-lines'];

export type BodyFormat = 'json' | 'jsonlines';

function tooLarge(limit: number): HttpError {
  return new HttpError(413, `request body over ${limit} bytes (the payload limit)`);
}

/** A media type without its parameters, lowercased: `application/json; charset=utf-8` is `application/json`. */
function mediaType(header: string): string {
  return header.split(';', 1)[0]!.trim().toLowerCase();
}

function formatOfType(type: string): BodyFormat | undefined {
  if (type === JSON_TYPE) return 'json';
  if (type === JSON_LINES_TYPE || JSON_LINES_ALIASES.includes(type)) return 'jsonlines';
  return undefined;
}

/** The format of a request's body by its Content-Type; 415 for a type not among `accepted`. */
export function bodyFormat(request: IncomingMessage, accepted: readonly BodyFormat[]): BodyFormat {
  const header = request.headers['content-type'];
  const names = accepted.map((format) => (format === 'json' ? JSON_TYPE : JSON_LINES_TYPE)).join(' or ');
  if (header === undefined) throw new HttpError(415, `missing Content-Type: expected ${names}`);
  const format = formatOfType(mediaType(header));
  if (format === undefined || !accepted.includes(format)) {
    throw new HttpError(415, `unsupported Content-Type ${JSON.stringify(header.slice(0, 100))}: expected ${names}`);
  }
  return format;
}

/** The answer's format by the Accept header: the first type of it the server writes; the request's own by default. */
export function answerFormat(request: IncomingMessage, requestFormat: BodyFormat): BodyFormat {
  const header = request.headers.accept;
  if (header === undefined) return requestFormat;
  for (const type of header.split(',').map(mediaType)) {
    if (type === '*/*' || type === 'application/*') return requestFormat;
    const format = formatOfType(type);
    if (format !== undefined) return format;
  }
  throw new HttpError(406, `cannot answer in ${JSON.stringify(header.slice(0, 100))}: the server answers ${JSON_TYPE} or ${JSON_LINES_TYPE}`);
}

/**
 * The request's body as text. 413 as soon as it is known to be over `limit` bytes, from Content-Length or while
 * reading, leaving the rest unread (the server closes the connection after the answer); 400 when it is not UTF-8.
 */
export async function readBodyText(request: IncomingMessage, limit: number): Promise<string> {
  const declared = request.headers['content-length'];
  if (declared !== undefined && Number(declared) > limit) throw tooLarge(limit);
  const bytes = await new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const stop = (): void => {
      request.off('data', onData);
      request.off('end', onEnd);
      request.off('error', onError);
      request.off('close', onClose);
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limit) {
        stop();
        request.pause();
        reject(tooLarge(limit));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => {
      stop();
      resolve(Buffer.concat(chunks, size));
    };
    const onError = (error: Error): void => {
      stop();
      reject(error);
    };
    const onClose = (): void => {
      stop();
      reject(new HttpError(400, 'the client closed the connection before the request body ended'));
    };
    request.on('data', onData);
    request.on('end', onEnd);
    request.on('error', onError);
    request.on('close', onClose);
  });
  if (!isUtf8(bytes)) throw new HttpError(400, 'request body is not valid UTF-8');
  return bytes.toString('utf8');
}
