package export

import (
	"sync"

	"loa/functions/forms"
	"loa/functions/store"
)

// recent holds the rows this process saved (told by a Refresher) until a
// snapshot it saved holds them: a scan takes such a row from memory, as it
// takes the snapshot's, where it would otherwise read its object back. Each
// is the object's body as written (store.Receipt.Body), decoded as a read
// would decode it, so a row from memory is the row a read gives. It is a
// cache like the snapshot: only keys that the listing names are taken from
// it, so a submission deleted since is not exported, and a row it lacks
// (saved by another process, or after it filled up) is read as before.
type recent struct {
	mu   sync.Mutex
	rows map[string]recentRow // by key
	max  int
}

type recentRow struct {
	form, id string
	body     []byte
}

// keep holds the row of a receipt; it reports false when there is no room
// (or nothing to keep: a duplicate wrote nothing).
func (c *recent) keep(f *forms.Form, rc store.Receipt) bool {
	if rc.Body == nil {
		return true
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.rows == nil {
		c.rows = map[string]recentRow{}
	}
	if len(c.rows) >= c.max {
		return false
	}
	c.rows[rc.Key] = recentRow{form: f.ID, id: rc.ID, body: rc.Body}
	return true
}

// body is the kept body of key.
func (c *recent) body(key string) ([]byte, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	r, ok := c.rows[key]
	return r.body, ok
}

// filling tells whether half the room is taken: time to fold the rows in,
// while the other half takes the saves that come during the fold.
func (c *recent) filling() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.rows) >= c.max/2
}

// drop forgets the rows of keys: a saved snapshot holds them.
func (c *recent) drop(keys []string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, k := range keys {
		delete(c.rows, k)
	}
}

// dropID forgets the row of form with the given id: it was deleted.
func (c *recent) dropID(form, id string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for k, r := range c.rows {
		if r.form == form && r.id == id {
			delete(c.rows, k)
		}
	}
}
