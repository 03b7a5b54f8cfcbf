package bff

// part is one piece of a client's answer: the answer of one downstream
// call, kept whole or cut to a summary.
type part struct {
	key      string // its key in the answer
	dep      string // the downstream that serves it
	path     string
	required bool // a failed call fails the answer; else the part is left out (degraded)
	keep     int  // bytes of the downstream's answer kept; 0 keeps it all
}

// experiences are what each client kind's answer holds. The web page shows
// everything; the mobile screen a product card: title and price, the star
// rating, in stock or not, and no recommendations. The general-purpose API
// answers the web's to both kinds.
var experiences = map[string][]part{
	Web: {
		{key: "product", dep: Catalog, path: "/products/p-1", required: true},
		{key: "reviews", dep: Reviews, path: "/reviews/p-1"},
		{key: "stock", dep: Inventory, path: "/stock/p-1", required: true},
		{key: "recommendations", dep: Recommendations, path: "/recommendations/p-1"},
	},
	Mobile: {
		{key: "product", dep: Catalog, path: "/products/p-1", required: true, keep: 160},
		{key: "rating", dep: Reviews, path: "/reviews/p-1?summary=1", keep: 48},
		{key: "in_stock", dep: Inventory, path: "/stock/p-1", required: true, keep: 16},
	},
}
