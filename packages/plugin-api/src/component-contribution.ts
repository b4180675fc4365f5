import type { Component, ComponentInfo, Simulator } from '@sata/core';
import type { ComponentContribution } from './contributions.js';

type ComponentClass = new (parent: Simulator | Component, localName: string, params?: Readonly<Record<string, unknown>>) => Component;

/** A component contribution from a class and its declared info. */
export function componentContribution(info: ComponentInfo, cls: ComponentClass): ComponentContribution {
  return Object.freeze({
    name: info.type,
    version: info.version,
    description: info.description,
    info,
    create: (parent: Simulator | Component, localName: string, params?: Readonly<Record<string, unknown>>) => new cls(parent, localName, params),
  });
}
