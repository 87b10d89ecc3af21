import type { AdminSource } from "../admin";

export const restAdmin: AdminSource = {};
