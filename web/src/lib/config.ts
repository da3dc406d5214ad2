/** Sizes, timings and zoom thresholds in one place (colours: theme/palette.ts). */

export const CLASS_ROW_HEIGHT = 56;
export const EMBED_ANIM_MS = 600;
export const LABEL_ZOOM = 0.7;
export const EMBED_LABEL_ZOOM = 2.2;
export const SLIDER_DEBOUNCE_MS = 120;
export const URL_DEBOUNCE_MS = 250;
export const SEARCH_DEBOUNCE_MS = 150;

/** Attribution graph: left gutter (screen px) for the layer names, and readability floors at the initial view. */
export const GRAPH_GUTTER = 104;
export const GRAPH_PAD = 20;
export const GRAPH_MIN_ROW_PX = 64;
export const GRAPH_MIN_TILE_PX = 32;
export const GRAPH_MAX_FIT_ZOOM = 1.25;
/** Opacity of edges (and, a little more, tiles) outside the hovered / highlighted part of the graph. */
export const GRAPH_DIM_ALPHA = 0.12;
/** Side of a closed group's node on the graph (world units; neuron tiles are 40-76). */
export const GROUP_TILE = 84;
