/** Stable error codes; main.ts maps them to exit codes and one-line messages. */
export type ErrorCode =
  | 'WHCLI_ERR_USAGE'
  | 'WHCLI_ERR_UNKNOWN_EVENT'
  | 'WHCLI_ERR_UNKNOWN_PROVIDER'
  | 'WHCLI_ERR_AMBIGUOUS_EVENT'
  | 'WHCLI_ERR_BAD_URL'
  | 'WHCLI_ERR_BAD_FIXTURE'
  | 'WHCLI_ERR_BAD_CONFIG'
  | 'WHCLI_ERR_BAD_SCENARIO'
  | 'WHCLI_ERR_BAD_SET_PATH'
  | 'WHCLI_ERR_BAD_API_VERSION'
  | 'WHCLI_ERR_NO_SECRET'
  | 'WHCLI_ERR_BAD_SECRET'
  | 'WHCLI_ERR_UNREACHABLE'
  | 'WHCLI_ERR_TIMEOUT'
  | 'WHCLI_ERR_NON_2XX'
  | 'WHCLI_ERR_RELAY'
  | 'WHCLI_ERR_SOURCE'
  | 'WHCLI_ERR_AUTH'
  | 'WHCLI_ERR_TLS'
  | 'WHCLI_ERR_NOT_FOUND'
  | 'WHCLI_ERR_TOO_LARGE'
  | 'WHCLI_ERR_CHECKS_FAILED'
  | 'WHCLI_ERR_INTERRUPTED'
  | 'WHCLI_ERR_ENV_FILE'
  | 'WHCLI_ERR_INTERNAL';

/** An expected failure: printed as one line, never with a stack. */
export class WhcliError extends Error {
  readonly code: ErrorCode;
  readonly exitCode: number;
  constructor(code: ErrorCode, message: string, exitCode = 1) {
    super(message);
    this.name = 'WhcliError';
    this.code = code;
    this.exitCode = exitCode;
  }
}

/** The user asked for something malformed: exit code 2. */
export class UsageError extends WhcliError {
  constructor(message: string, code: ErrorCode = 'WHCLI_ERR_USAGE') {
    super(code, message, 2);
    this.name = 'UsageError';
  }
}
