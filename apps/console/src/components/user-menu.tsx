"use client";

import { Button } from "@switchyard/ui/button";
import { signOut } from "next-auth/react";
import { useState } from "react";

export function UserMenu({ name, email }: { name: string; email: string }) {
  const [isSigningOut, setIsSigningOut] = useState(false);
  return (
    <div className="user-menu">
      <span className="user-menu__avatar" aria-hidden="true">
        {(name || email).slice(0, 1).toUpperCase()}
      </span>
      <span className="user-menu__who">
        <span className="user-menu__name" data-test="user-name">
          {name}
        </span>
        <span className="user-menu__email" data-test="user-email">
          {email}
        </span>
      </span>
      <Button
        variant="ghost"
        size="sm"
        isPending={isSigningOut}
        onClick={() => {
          setIsSigningOut(true);
          void signOut({ callbackUrl: "/signin" });
        }}
        data-test="sign-out"
      >
        Sign out
      </Button>
    </div>
  );
}
