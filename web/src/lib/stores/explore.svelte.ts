/**
 * What exploring a model needs beyond its graphs: whether this user may write
 * notes, the model's notes (saved on the server, plus those a loaded view
 * file brought that the server lacks), its suggested groups, and the classes
 * whose graphs contain the pinned subgraph. Notes and suggestions are asked
 * for once per model, after the first frame; "classes containing" whenever
 * the pins change (never on a class switch).
 */
import type { Api } from "../api/loaders";
import type { ContainingClassData, NoteData, NoteKind, SuggestedGroupData } from "../api/types";
import { afterNextFrame } from "../async/frame";
import { errorMessage, errorOf, IDLE, Resource, valueOf, type Loadable } from "../async/resource";
import type { ViewNote } from "../state/viewFile";

export const noteKey = (kind: NoteKind, target: string): string => `${kind}|${target}`;

/** A note shown in the app: from the server, or only from a loaded view file (not saved here). */
export type ShownNote = NoteData & { fromFile: boolean };

export interface ExploreTarget {
  /** The model as the view names it (null: the server's default) and its id once known. */
  model: string | null;
  modelId: string | null;
  pins: string[];
  pinEdges: string[];
}

export class ExploreData {
  canWriteState = $state.raw<Loadable<boolean>>(IDLE);
  notesState = $state.raw<Loadable<NoteData[]>>(IDLE);
  suggestionsState = $state.raw<Loadable<SuggestedGroupData[]>>(IDLE);
  containingState = $state.raw<Loadable<ContainingClassData[]>>(IDLE);
  /** Notes from a loaded view file (shown where the server has none for the same neuron or group). */
  fileNotes = $state.raw<ViewNote[]>([]);
  /** Why the last note could not be saved or deleted. */
  saveError = $state<string | null>(null);
  saving = $state(false);

  readonly canWrite = $derived(valueOf(this.canWriteState) === true);
  readonly suggestions = $derived(valueOf(this.suggestionsState) ?? []);
  readonly suggestionsError = $derived(errorOf(this.suggestionsState));
  readonly notesError = $derived(errorOf(this.notesState));
  readonly containing = $derived(valueOf(this.containingState));
  readonly containingError = $derived(errorOf(this.containingState));
  readonly containingLoading = $derived(this.containingState.status === "loading");
  /** Every note shown, by noteKey: the server's, then the file's where the server has none. */
  readonly notes = $derived.by(() => {
    const out = new Map<string, ShownNote>();
    for (const n of valueOf(this.notesState) ?? []) out.set(noteKey(n.kind, n.target), { ...n, fromFile: false });
    for (const n of this.fileNotes) if (!out.has(noteKey(n.kind, n.target))) out.set(noteKey(n.kind, n.target), { ...n, fromFile: true });
    return out;
  });

  readonly #api: Api;
  readonly #target: () => ExploreTarget;
  readonly #notes: Resource<NoteData[]>;

  constructor(api: Api, target: () => ExploreTarget) {
    this.#api = api;
    this.#target = target;
    const canWrite = new Resource<boolean>("write rights", (s) => (this.canWriteState = s));
    this.#notes = new Resource<NoteData[]>("notes", (s) => (this.notesState = s));
    const suggestions = new Resource<SuggestedGroupData[]>("suggested groups", (s) => (this.suggestionsState = s));
    const containing = new Resource<ContainingClassData[]>("classes containing the pinned subgraph", (s) => (this.containingState = s));

    void canWrite.load("viewer", () => api.canWrite());
    $effect(() => {
      const { model, modelId } = target();
      if (!modelId) { this.#notes.clear(); suggestions.clear(); return; }
      const later = async <T>(signal: AbortSignal, f: () => Promise<T>) => { await afterNextFrame(); signal.throwIfAborted(); return f(); };
      void this.#notes.load(modelId, ({ signal }) => later(signal, () => api.notes(model)));
      void suggestions.load(modelId, ({ signal }) => later(signal, () => api.suggestedGroups(model)));
    });
    $effect(() => {
      const { model, modelId, pins, pinEdges } = target();
      if (!modelId || (pins.length === 0 && pinEdges.length === 0)) { containing.clear(); return; }
      void containing.load(JSON.stringify([modelId, pins, pinEdges]), () => api.classesContaining(model, pins, pinEdges));
    });
  }

  /** Save a note on the server (needs write rights); the list shows it once the server has it. */
  saveNote = async (kind: NoteKind, target: string, neurons: string[] | null, text: string): Promise<boolean> => {
    return this.#write(async (model) => {
      const saved = await this.#api.setNote(model, kind, target, text, neurons);
      const others = (valueOf(this.notesState) ?? []).filter((n) => noteKey(n.kind, n.target) !== noteKey(kind, target));
      this.#notes.set(model, [...others, saved]);
      this.fileNotes = this.fileNotes.filter((n) => noteKey(n.kind, n.target) !== noteKey(kind, target));
    });
  };

  deleteNote = async (kind: NoteKind, target: string): Promise<boolean> => {
    return this.#write(async (model) => {
      await this.#api.deleteNote(model, kind, target);
      this.#notes.set(model, (valueOf(this.notesState) ?? []).filter((n) => noteKey(n.kind, n.target) !== noteKey(kind, target)));
      this.fileNotes = this.fileNotes.filter((n) => noteKey(n.kind, n.target) !== noteKey(kind, target));
    });
  };

  async #write(run: (model: string) => Promise<void>): Promise<boolean> {
    const model = this.#target().modelId;
    if (!model) return false;
    this.saving = true;
    this.saveError = null;
    try {
      await run(model);
      return true;
    } catch (e) {
      this.saveError = errorMessage(e);
      console.warn(`summit: cannot save the note (model ${model}): ${this.saveError}`);
      return false;
    } finally {
      this.saving = false;
    }
  }
}
