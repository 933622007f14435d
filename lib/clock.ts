/** The time source the domain is given: the system clock in the functions, a fixed one in tests. */
export type Clock = () => Date;

/** What a collaborator set carries to tell the time; without `now`, the system clock. */
export interface Clocked {
  now?: Clock;
}

/** The current time as the given collaborators tell it. */
export const currentTime = (deps: Clocked): Date => deps.now?.() ?? new Date();
