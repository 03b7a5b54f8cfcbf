package scenarios

import (
	"fmt"
	"io"
	"net/url"

	"github.com/faultline/faultline/reports/model"
	"github.com/faultline/faultline/testbeds"
)

// announceToxiproxy records, in the variant's report, the Toxiproxy API of
// its deployment, and prints it with the command that lists its proxies and
// toxics, so a user can watch the faults while the run goes. On the docker
// testbed the address carries the run's token (see internal/guard): it is
// printed whole, for the run's lifetime, and recorded with the token
// redacted, since the report outlives the run.
func announceToxiproxy(dep testbeds.Deployment, rv *model.Variant, progress io.Writer) {
	in, ok := dep.(testbeds.Inspectable)
	if !ok || in.ToxiproxyAPI() == "" {
		return
	}
	api := in.ToxiproxyAPI()
	rv.ToxiproxyAPI = redacted(api)
	if progress != nil {
		fmt.Fprintf(progress, "%s: Toxiproxy API %s (toxiproxy-cli -h %s list)\n", rv.Name, api, api)
	}
}

// redacted is rawURL with any password replaced by "xxxxx".
func redacted(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		return rawURL
	}
	return u.Redacted()
}
