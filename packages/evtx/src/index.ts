// Public API of @tsigma/evtx.
export {};
