/**
 * Type annotations to KTS types: prelude aliases (u32 …) are recognised by
 * declaration identity, project classes and enums by their registry entry, and
 * everything else (number, bigint, any, unions, object types …) is KT2000.
 */
import { Node, SyntaxKind, type TypeNode } from "ts-morph";
import { isIntName, T, type KType } from "../types/ktype.js";
import type { FnCtx } from "./function-context.js";
import { declarationOf, preludeHomeOf, resolveDecl } from "./resolve.js";
import { preludeModuleOf } from "../project/load.js";

/** Aliases being resolved: `type A = B; type B = A` is an error, not a loop. */
const resolving = new Set<Node>();

export function resolveType(ctx: FnCtx, node: TypeNode): KType {
  switch (node.getKind()) {
    case SyntaxKind.BooleanKeyword:
      return T.bool;
    case SyntaxKind.VoidKeyword:
      return T.void;
    case SyntaxKind.NeverKeyword:
      return T.never;
    case SyntaxKind.ParenthesizedType:
      return resolveType(ctx, node.asKindOrThrow(SyntaxKind.ParenthesizedType).getTypeNode());
    case SyntaxKind.TypeOperator: {
      const op = node.asKindOrThrow(SyntaxKind.TypeOperator);
      if (op.getOperator() === SyntaxKind.ReadonlyKeyword) return resolveType(ctx, op.getTypeNode());
      break;
    }
    case SyntaxKind.ArrayType: {
      const elem = resolveType(ctx, node.asKindOrThrow(SyntaxKind.ArrayType).getElementTypeNode());
      if (elem.k === "error") return elem;
      // Arrays of arrays (`u8[][]`, made by arrays(N, M, fill)) have rows of integers, bools, enums or functions.
      if (elem.k === "array" && (elem.elem.k === "array" || elem.elem.k === "class")) {
        ctx.prog.report("KT3025", node);
        return T.error;
      }
      if (elem.k === "void" || elem.k === "never") {
        ctx.prog.report("KT2000", node, node.getText());
        return T.error;
      }
      return { k: "array", elem };
    }
    case SyntaxKind.FunctionType: {
      const ft = node.asKindOrThrow(SyntaxKind.FunctionType);
      const params = ft.getParameters().map((p) => {
        const tn = p.getTypeNode();
        if (!tn) {
          ctx.prog.report("KT2004", p, p.getName());
          return T.error;
        }
        return resolveType(ctx, tn);
      });
      const ret = resolveType(ctx, ft.getReturnTypeNodeOrThrow());
      if (params.some((p) => p.k === "error") || ret.k === "error") return T.error;
      if (ret.k === "array") {
        ctx.prog.report("KT3022", ft);
        return T.error;
      }
      return { k: "fn", params, ret };
    }
    case SyntaxKind.TypeReference: {
      const tr = node.asKindOrThrow(SyntaxKind.TypeReference);
      const nameNode = tr.getTypeName();
      if (tr.getTypeArguments().length === 0 && Node.isIdentifier(nameNode)) {
        const r = resolveDecl(ctx, nameNode);
        if (r.kind === "intrinsic") {
          if (isIntName(r.name)) return T.int(r.name);
          if (r.name === "bool") return T.bool;
        }
        if (r.kind === "decl") {
          if (r.decl.kind === "class") return { k: "class", decl: r.decl.info };
          if (r.decl.kind === "enum") return r.decl.type;
        }
        // `type Handler = (x: u32) => u32`: a project alias names the type it stands for.
        const alias = declarationOf(nameNode);
        if (alias && Node.isTypeAliasDeclaration(alias) && !alias.getSourceFile().isInNodeModules() && !alias.getSourceFile().isDeclarationFile() && !preludeModuleOf(alias.getSourceFile())) {
          if (resolving.has(alias)) {
            ctx.prog.report("KT2000", node, nameNode.getText());
            return T.error;
          }
          resolving.add(alias);
          try {
            return resolveType(ctx, alias.getTypeNodeOrThrow());
          } finally {
            resolving.delete(alias);
          }
        }
        const home = r.kind === "unknown" ? preludeHomeOf(nameNode.getText()) : undefined;
        if (home) {
          ctx.prog.report("KT2021", node, nameNode.getText(), home);
          return T.error;
        }
      }
      break;
    }
  }
  const text = node.getText();
  ctx.prog.report("KT2000", node, text.length > 40 ? text.slice(0, 37) + "..." : text);
  return T.error;
}
