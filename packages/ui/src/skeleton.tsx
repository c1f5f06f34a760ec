export type SkeletonProps = {
  /** How many placeholder lines to draw. */
  lines?: number;
  width?: string;
  height?: string;
  "data-test"?: string;
};

/** A placeholder with the rough shape of the content that is loading, so the page does not jump. */
export function Skeleton({ lines = 1, width, height, "data-test": dataTest = "skeleton" }: SkeletonProps) {
  return (
    <div className="sy-skeleton" role="status" aria-busy="true" aria-label="Loading" data-test={dataTest}>
      {Array.from({ length: lines }, (_, index) => (
        <span
          // The lines are identical placeholders; their position is their identity.
          // biome-ignore lint/suspicious/noArrayIndexKey: static placeholder list
          key={index}
          className="sy-skeleton__line"
          style={{ width: index === lines - 1 && lines > 1 ? "60%" : width, height }}
        />
      ))}
    </div>
  );
}
