/** A labelled select over a fixed list of options (the graph pages' range, refresh and filters). */
export function OptionSelect<T extends string>({
  label,
  value,
  options,
  onChange,
  allLabel,
  "data-test": dataTest,
}: {
  label: string;
  value: T;
  options: readonly { id: T; label: string }[];
  onChange: (value: T) => void;
  /** An extra first option with the value "" (e.g. "All"). */
  allLabel?: string;
  "data-test"?: string;
}) {
  return (
    <label>
      {label}
      <select value={value} onChange={(event) => onChange(event.target.value as T)} data-test={dataTest}>
        {allLabel === undefined ? null : <option value="">{allLabel}</option>}
        {options.map((entry) => (
          <option key={entry.id} value={entry.id}>
            {entry.label}
          </option>
        ))}
      </select>
    </label>
  );
}
