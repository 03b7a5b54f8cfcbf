package scenarios

import (
	"fmt"
	"io"

	"github.com/faultline/faultline/reports/model"
	"github.com/faultline/faultline/testbeds"
)

// announceToxiproxy records, in the variant's report, the Toxiproxy API of
// its deployment, and prints it with the command that lists its proxies and
// toxics, so a user can watch the faults while the run goes.
func announceToxiproxy(dep testbeds.Deployment, rv *model.Variant, progress io.Writer) {
	in, ok := dep.(testbeds.Inspectable)
	if !ok || in.ToxiproxyAPI() == "" {
		return
	}
	rv.ToxiproxyAPI = in.ToxiproxyAPI()
	if progress != nil {
		fmt.Fprintf(progress, "%s: Toxiproxy API %s (toxiproxy-cli -h %s list)\n", rv.Name, rv.ToxiproxyAPI, rv.ToxiproxyAPI)
	}
}
