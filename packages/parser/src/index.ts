// Public API of @tsigma/parser.
export {};
