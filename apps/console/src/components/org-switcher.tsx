"use client";

import { Banner } from "@switchyard/ui/banner";
import { useIsHydrated } from "@switchyard/ui/hydration";
import { Skeleton } from "@switchyard/ui/skeleton";
import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useEffect, useRef, useState } from "react";
import { messageOf } from "~/lib/api-errors";
import { roleLabels } from "~/lib/roles";
import { useTRPC } from "~/lib/trpc";
import { CreateOrganizationForm } from "./create-organization-form";

type Props = { currentSlug: string; currentName: string | undefined };

export function OrgSwitcher({ currentSlug, currentName }: Props) {
  const trpc = useTRPC();
  const [isOpen, setIsOpen] = useState(false);
  const [isCreating, setIsCreating] = useState(false);
  const containerRef = useRef<HTMLDivElement>(null);
  const isHydrated = useIsHydrated();
  // Loaded only once the menu opens: most page views never need the list.
  const organizations = useQuery(trpc.orgs.list.queryOptions(undefined, { enabled: isOpen }));

  useEffect(() => {
    if (!isOpen) return;
    function onPointerDown(event: PointerEvent) {
      if (event.target instanceof Node && !containerRef.current?.contains(event.target)) setIsOpen(false);
    }
    function onKeyDown(event: KeyboardEvent) {
      if (event.key === "Escape") setIsOpen(false);
    }
    document.addEventListener("pointerdown", onPointerDown);
    document.addEventListener("keydown", onKeyDown);
    return () => {
      document.removeEventListener("pointerdown", onPointerDown);
      document.removeEventListener("keydown", onKeyDown);
    };
  }, [isOpen]);

  return (
    <div className="org-switcher" ref={containerRef}>
      <button
        type="button"
        className="org-switcher__button"
        aria-expanded={isOpen}
        aria-haspopup="true"
        disabled={!isHydrated}
        onClick={() => {
          setIsOpen((open) => !open);
          setIsCreating(false);
        }}
        data-test="org-switcher"
      >
        <span className="org-switcher__label">Organization</span>
        <span className="org-switcher__name" data-test="org-switcher-current">
          {currentName ?? currentSlug}
        </span>
        <span aria-hidden="true">▾</span>
      </button>
      {isOpen ? (
        <div className="org-switcher__menu" data-test="org-switcher-menu">
          {isCreating ? (
            <div className="org-switcher__create">
              <p className="org-switcher__heading">New organization</p>
              <CreateOrganizationForm onCancel={() => setIsCreating(false)} />
            </div>
          ) : (
            <>
              <p className="org-switcher__heading">Your organizations</p>
              {organizations.isPending ? (
                <Skeleton lines={2} />
              ) : organizations.isError ? (
                <Banner tone="error" onRetry={() => organizations.refetch()}>
                  {messageOf(organizations.error)}
                </Banner>
              ) : (
                <ul className="org-switcher__list">
                  {organizations.data.map((organization) => (
                    <li key={organization.id}>
                      <Link
                        href={`/o/${encodeURIComponent(organization.slug)}`}
                        className={
                          organization.slug === currentSlug
                            ? "org-switcher__item org-switcher__item--current"
                            : "org-switcher__item"
                        }
                        onClick={() => setIsOpen(false)}
                        data-test="org-switcher-item"
                      >
                        <span>{organization.name}</span>
                        <span className="badge">{roleLabels[organization.role]}</span>
                      </Link>
                    </li>
                  ))}
                </ul>
              )}
              <button
                type="button"
                className="org-switcher__new"
                onClick={() => setIsCreating(true)}
                data-test="org-switcher-create"
              >
                + Create organization
              </button>
            </>
          )}
        </div>
      ) : null}
    </div>
  );
}
