/** The logging the OpenAlgo client and server need (pino-compatible). Never given bodies or keys. */
export interface OpenAlgoLogger {
  debug(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}
