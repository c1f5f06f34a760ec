"use client";

import { Button } from "@switchyard/ui/button";
import type { FieldErrors } from "~/lib/api-errors";

export type LabelRow = { id: number; key: string; value: string };

type Props = {
  rows: LabelRow[];
  onChange: (rows: LabelRow[]) => void;
  /** Per-row messages: the API keys them `labels.<key>`, local checks use the same keys. */
  errors: FieldErrors;
  /** A message about the labels as a whole (e.g. too many) that no single row owns. */
  groupError: string | undefined;
  /** Row id -> message from the checks made before sending (see localLabelErrors). */
  localErrors: Record<number, string>;
};

let nextRowId = 1;
export function newLabelRow(key = "", value = ""): LabelRow {
  nextRowId += 1;
  return { id: nextRowId, key, value };
}

/** Rows with a blank key and value are the user's spare rows, not labels. */
export function labelsOf(rows: readonly LabelRow[]): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const row of rows) {
    const key = row.key.trim();
    if (key) labels[key] = row.value.trim();
  }
  return labels;
}

/** Mistakes the API could not see, because a record has one entry per key: duplicates, a value without a key. */
export function localLabelErrors(rows: readonly LabelRow[]): Record<number, string> {
  const errors: Record<number, string> = {};
  const seen = new Set<string>();
  for (const row of rows) {
    const key = row.key.trim();
    if (!key && row.value.trim()) errors[row.id] = "Enter a key for this value";
    else if (key && seen.has(key)) errors[row.id] = `${key} is already set above`;
    seen.add(key);
  }
  return errors;
}

export function LabelsEditor({ rows, onChange, errors, groupError, localErrors }: Props) {
  function update(id: number, patch: Partial<LabelRow>) {
    onChange(rows.map((row) => (row.id === id ? { ...row, ...patch } : row)));
  }
  return (
    <fieldset className="labels-editor" data-test="cluster-labels">
      <legend className="sy-field__label">Labels</legend>
      <p className="sy-field__hint">
        Used to pick clusters for policies and rollouts, e.g. region=eu-west-1, env=prod.
      </p>
      {rows.map((row, index) => {
        const message = localErrors[row.id] ?? errors[`labels.${row.key.trim()}`]?.[0];
        const errorId = `cluster-label-${row.id}-error`;
        return (
          <div
            key={row.id}
            className={message ? "labels-editor__row labels-editor__row--invalid" : "labels-editor__row"}
            data-test="cluster-label-row"
          >
            <input
              className="sy-input"
              aria-label={`Label ${index + 1} key`}
              placeholder="key"
              value={row.key}
              onChange={(event) => update(row.id, { key: event.target.value })}
              aria-invalid={Boolean(message)}
              aria-describedby={message ? errorId : undefined}
              data-test="cluster-label-key"
            />
            <span aria-hidden="true">=</span>
            <input
              className="sy-input"
              aria-label={`Label ${index + 1} value`}
              placeholder="value"
              value={row.value}
              onChange={(event) => update(row.id, { value: event.target.value })}
              aria-invalid={Boolean(message)}
              aria-describedby={message ? errorId : undefined}
              data-test="cluster-label-value"
            />
            <Button
              variant="ghost"
              size="sm"
              aria-label={`Remove label ${index + 1}`}
              onClick={() => onChange(rows.filter((other) => other.id !== row.id))}
              data-test="cluster-label-remove"
            >
              Remove
            </Button>
            {message ? (
              <p
                className="sy-field__error labels-editor__error"
                id={errorId}
                role="alert"
                data-test="cluster-label-error"
              >
                {message}
              </p>
            ) : null}
          </div>
        );
      })}
      {groupError ? (
        <p className="sy-field__error" role="alert" data-test="cluster-labels-error">
          {groupError}
        </p>
      ) : null}
      <Button
        variant="secondary"
        size="sm"
        onClick={() => onChange([...rows, newLabelRow()])}
        data-test="cluster-label-add"
      >
        Add label
      </Button>
    </fieldset>
  );
}
