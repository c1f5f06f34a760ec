import type { ReactNode } from "react";

export type EmptyStateProps = {
  title: string;
  description?: ReactNode;
  action?: ReactNode;
  "data-test"?: string;
};

export function EmptyState({ title, description, action, "data-test": dataTest }: EmptyStateProps) {
  return (
    <div className="sy-empty" data-test={dataTest}>
      <p className="sy-empty__title">{title}</p>
      {description ? <p className="sy-empty__description">{description}</p> : null}
      {action ? <div className="sy-empty__action">{action}</div> : null}
    </div>
  );
}
