// Rounds of the move-and-back scenario (bouncer.ts and returner.ts).
export const ROUNDS = 300;
