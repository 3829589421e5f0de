// The one error type of the backend calls (ApiCallError, the service's ApiError) and the one way to turn a failure into the text a screen shows.
import type { ApiError } from './bindings/ApiError';
import type { ErrorCode } from './bindings/ErrorCode';

const ERROR_CODES: readonly ErrorCode[] = [
  'validation_error',
  'import_error',
  'not_found',
  'conflict',
  'storage_error',
  'internal_error',
];

/** A failed backend call, carrying the fields of the backend's ApiError. */
export class ApiCallError extends Error {
  readonly code: ErrorCode;
  readonly field?: string;
  readonly file?: string;
  readonly row?: number;
  readonly column?: string;

  constructor(error: ApiError) {
    super(error.message);
    this.name = 'ApiCallError';
    this.code = error.code;
    if (error.field !== undefined) this.field = error.field;
    if (error.file !== undefined) this.file = error.file;
    if (error.row !== undefined) this.row = error.row;
    if (error.column !== undefined) this.column = error.column;
  }
}

function isApiError(value: unknown): value is ApiError {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as { code?: unknown; message?: unknown };
  return typeof v.code === 'string' && typeof v.message === 'string';
}

function optString(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

/** Turns whatever a rejected invoke carried into an ApiCallError (unknown shapes: internal_error). */
export function toApiCallError(reason: unknown): ApiCallError {
  if (reason instanceof ApiCallError) return reason;
  if (isApiError(reason)) {
    const code = (ERROR_CODES as readonly string[]).includes(reason.code) ? reason.code : 'internal_error';
    const row = typeof reason.row === 'number' ? reason.row : undefined;
    return new ApiCallError({
      code,
      message: reason.message,
      field: optString(reason.field),
      file: optString(reason.file),
      row,
      column: optString(reason.column),
    });
  }
  let message: string;
  if (reason === undefined || reason === null) message = 'Unknown error';
  else if (reason instanceof Error) message = reason.message;
  else if (typeof reason === 'string') message = reason;
  else {
    try {
      message = JSON.stringify(reason) ?? String(reason);
    } catch {
      message = String(reason);
    }
  }
  return new ApiCallError({ code: 'internal_error', message: message || 'Unknown error' });
}

/**
 * What a screen shows for a failed call: the backend's message, after `context` ("Could not load
 * the runs") when given. Anything thrown, not only an ApiCallError, reads the same way.
 */
export function errorText(reason: unknown, context?: string): string {
  const { message } = toApiCallError(reason);
  return context === undefined ? message : `${context}: ${message}`;
}
