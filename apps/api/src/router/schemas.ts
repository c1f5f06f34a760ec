// Input fields shared by several procedures, with the messages the console shows beside them.
import { z } from "zod";

export const roleSchema = z.enum(["owner", "admin", "editor", "viewer"], {
  error: "role must be one of owner, admin, editor, viewer",
});
export const emailSchema = z.email({ error: "email must be a valid email address" }).max(254);
export const personNameSchema = z
  .string()
  .trim()
  .min(1, "name is required")
  .max(100, "name must be at most 100 characters");
export const passwordSchema = z
  .string()
  .min(10, "password must be at least 10 characters")
  .max(200, "password must be at most 200 characters");
export const organizationNameSchema = z
  .string()
  .trim()
  .min(2, "organization name must be at least 2 characters")
  .max(80, "organization name must be at most 80 characters");
export const tokenSchema = z.string().min(16, "token is not valid").max(200, "token is not valid");
export const idSchema = z.string().min(1).max(64);
