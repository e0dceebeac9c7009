/**
 * A file name a file system will take, from a dataset name: anything it might refuse (control
 * characters, `<>:"/\|?*`) replaced by "_", never starting with a dot, "dataset" when nothing is
 * left.
 */
export function safeFileName(name: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are not allowed in file names
  const safe = name.replace(/[\u0000-\u001f\u007f<>:"/\\|?*]+/g, "_").replace(/^\.+/, "_");
  return safe === "" ? "dataset" : safe;
}
