"use client";

import { useState } from "react";

/** Copies `text` to the clipboard and says so for a moment. */
export function CopyButton({ text, label = "Copy", testId }: { text: string; label?: string; testId?: string }) {
  const [copied, setCopied] = useState<"yes" | "no" | undefined>();
  async function copy() {
    try {
      await navigator.clipboard.writeText(text);
      setCopied("yes");
    } catch {
      setCopied("no"); // clipboard refused (no permission, not a secure context): the text stays selectable
    }
    setTimeout(() => setCopied(undefined), 1500);
  }
  return (
    <button type="button" className="subtle small" onClick={copy} data-testid={testId}>
      {copied === "yes" ? "Copied" : copied === "no" ? "Select and copy" : label}
    </button>
  );
}
