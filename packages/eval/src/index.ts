// Public API of @tsigma/eval.
export {};
