// Business errors are answers, never exceptions: OpenAlgo's {status: "error", message}.

export const fail = (message: string) => ({ status: 'error' as const, message });
