// Public API of @tsigma/runtime.
export {};
