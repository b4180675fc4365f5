/** What runs when an event fires. `payload` is whatever was given at scheduling. */
export type EventHandler = (payload: any) => void;

/** Identifies a scheduled event for cancellation: its sequence number. */
export type EventId = number;
