/**
 * A view saved as a file: the whole view state (the same state the URL holds)
 * plus the notes shown with it, as JSON that loads back to the identical view.
 * Loading checks the file and names what is wrong. Pure; tested in viewFile.test.ts.
 */
import { parseState, serializeState, type ViewState } from "./url";

export const VIEW_FORMAT = "summit-view";
export const VIEW_VERSION = 1;
const NOTE_MAX = 2000;

export interface ViewNote {
  kind: "NEURON" | "GROUP";
  target: string;
  neurons: string[];
  text: string;
  updated: string;
}

export interface ViewFile {
  format: typeof VIEW_FORMAT;
  version: typeof VIEW_VERSION;
  /** When the file was written (ISO 8601). */
  saved: string;
  /** The view as a URL query string (what a link holds; loading parses this). */
  query: string;
  /** The same view, readable (written for people; loading checks it agrees with `query`). */
  state: ViewState;
  notes: ViewNote[];
}

export class ViewFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ViewFileError";
  }
}

/** The file for a view and its notes (canonical: the state is normalised through the URL form). */
export function toViewFile(state: ViewState, notes: readonly ViewNote[], now: Date = new Date()): ViewFile {
  const query = serializeState(state);
  return {
    format: VIEW_FORMAT, version: VIEW_VERSION, saved: now.toISOString(), query, state: parseState(query),
    notes: notes.map((n) => ({ kind: n.kind, target: n.target, neurons: [...n.neurons], text: n.text, updated: n.updated })),
  };
}

export function viewFileText(file: ViewFile): string {
  return JSON.stringify(file, null, 2) + "\n";
}

function checkNote(x: unknown, i: number): ViewNote {
  const n = x as Record<string, unknown>;
  const bad = (what: string) => new ViewFileError(`notes[${i}]: ${what}`);
  if (typeof n !== "object" || n === null) throw bad("not an object");
  if (n.kind !== "NEURON" && n.kind !== "GROUP") throw bad("kind must be NEURON or GROUP");
  if (typeof n.target !== "string" || !n.target) throw bad("target must be a neuron or group id");
  if (!Array.isArray(n.neurons) || !n.neurons.every((m) => typeof m === "string")) throw bad("neurons must be a list of neuron ids");
  if (typeof n.text !== "string" || !n.text.trim() || n.text.length > NOTE_MAX) throw bad(`text must be 1-${NOTE_MAX} characters`);
  return { kind: n.kind, target: n.target, neurons: n.neurons as string[], text: n.text, updated: typeof n.updated === "string" ? n.updated : "" };
}

/** The view and notes of a file's text; a ViewFileError says what is wrong. */
export function readViewFile(text: string): { state: ViewState; notes: ViewNote[] } {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new ViewFileError(`not JSON (${(e as Error).message})`);
  }
  const f = raw as Record<string, unknown>;
  if (typeof f !== "object" || f === null || f.format !== VIEW_FORMAT) throw new ViewFileError(`not a Summit view file (format must be "${VIEW_FORMAT}")`);
  if (f.version !== VIEW_VERSION) throw new ViewFileError(`version ${String(f.version)} is not supported (this app reads version ${VIEW_VERSION})`);
  if (typeof f.query !== "string" || (f.query !== "" && !f.query.startsWith("?"))) throw new ViewFileError("query must be a URL query string");
  const state = parseState(f.query);
  if (serializeState(state) !== f.query) throw new ViewFileError("query holds values this app does not understand");
  if (!Array.isArray(f.notes)) throw new ViewFileError("notes must be a list");
  return { state, notes: f.notes.map(checkNote) };
}
