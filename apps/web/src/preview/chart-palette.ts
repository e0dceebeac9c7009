/** Colours for class series, in order (the dashboard's accent first; distinct on white). */
export const CLASS_COLOURS = [
  "#2458d6",
  "#e8730c",
  "#157347",
  "#b42318",
  "#7a4cc2",
  "#8a5a00",
  "#d6336c",
  "#0f8b8d",
  "#5c6470",
  "#9bb70e",
] as const;

/** The colour of the `i`-th class, repeating after the palette's end. */
export function classColour(i: number): string {
  return CLASS_COLOURS[i % CLASS_COLOURS.length]!;
}
