package admin_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"loa/admin"
	"loa/store"
)

// TestEveryReasonHasAVietnameseName: each store.Reason constant, found in the store's
// source (so a reason added there without a name here fails this test), has a
// Vietnamese name of its own rather than the code.
func TestEveryReasonHasAVietnameseName(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob(filepath.Join("..", "store", "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	found := map[string]store.Reason{}
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, decl := range f.Decls {
			gd, ok := decl.(*ast.GenDecl)
			if !ok || gd.Tok != token.CONST {
				continue
			}
			for _, spec := range gd.Specs {
				vs := spec.(*ast.ValueSpec)
				if typ, ok := vs.Type.(*ast.Ident); !ok || typ.Name != "Reason" {
					continue
				}
				for i, id := range vs.Names {
					lit, ok := vs.Values[i].(*ast.BasicLit)
					if !ok {
						t.Fatalf("%s: store.%s is not a string literal", fset.Position(id.Pos()), id.Name)
					}
					v, err := strconv.Unquote(lit.Value)
					if err != nil {
						t.Fatal(err)
					}
					found[id.Name] = store.Reason(v)
				}
			}
		}
	}
	if len(found) < 15 || found["ReasonMaxAge"] != store.ReasonMaxAge {
		t.Fatalf("found the reasons %v in the store's source: the search is broken", found)
	}
	for name, r := range found {
		if got := admin.ReasonText(r); got == "" || got == string(r) || strings.ContainsAny(got, "_") {
			t.Errorf("store.%s (%q) has no Vietnamese name: ReasonText = %q", name, r, got)
		}
	}
	if got := admin.ReasonText("some_new_code"); got != "some_new_code" {
		t.Errorf("an unknown code shows as %q, want the code", got)
	}
}
