"use client";

import { useIsHydrated } from "./hydration";

export type Tab<Id extends string> = { id: Id; label: string; count?: number | undefined };

export type TabsProps<Id extends string> = {
  tabs: readonly Tab<Id>[];
  selected: Id;
  onSelect: (id: Id) => void;
  label: string;
  "data-test"?: string;
};

/** A row of tabs (the panel is the caller's); each tab's data-test is `tab-<id>`. */
export function Tabs<Id extends string>({
  tabs,
  selected,
  onSelect,
  label,
  "data-test": dataTest,
}: TabsProps<Id>) {
  const isHydrated = useIsHydrated();
  return (
    <div className="sy-tabs" role="tablist" aria-label={label} data-test={dataTest}>
      {tabs.map((tab) => (
        <button
          key={tab.id}
          type="button"
          role="tab"
          aria-selected={tab.id === selected}
          className={tab.id === selected ? "sy-tabs__tab sy-tabs__tab--selected" : "sy-tabs__tab"}
          onClick={() => onSelect(tab.id)}
          disabled={!isHydrated}
          data-test={`tab-${tab.id}`}
        >
          {tab.label}
          {tab.count !== undefined ? <span className="sy-tabs__count">{tab.count}</span> : null}
        </button>
      ))}
    </div>
  );
}
